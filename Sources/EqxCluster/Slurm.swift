import Foundation

/// The SLURM commands eqx uses. SLURM schedules; eqx only submits, watches and cancels.
public struct Slurm: Sendable {
    let sbatch: URL, squeue: URL, scancel: URL, scontrol: URL
    let sacct: URL?

    /// The SLURM client on the PATH, or an error naming the local alternative.
    public static func locate(path: String? = ProcessInfo.processInfo.environment["PATH"]) throws -> Slurm {
        guard let sbatch = Subprocess.find("sbatch", path: path) else {
            throw ClusterError("`sbatch` is not on the PATH, so SLURM cannot be used from this machine; run the units here with `eqx run FILE --jobs N` (N processes at once), or log in to the cluster's login node")
        }
        func tool(_ name: String) throws -> URL {
            guard let u = Subprocess.find(name, path: path) else { throw ClusterError("`\(name)` is not on the PATH (SLURM's client is incomplete)") }
            return u
        }
        return Slurm(sbatch: sbatch, squeue: try tool("squeue"), scancel: try tool("scancel"), scontrol: try tool("scontrol"),
                     sacct: Subprocess.find("sacct", path: path))
    }

    /// Asks SLURM whether it would accept these settings (`sbatch --test-only`), before anything is submitted.
    /// A rejection names the setting that caused it and where it came from.
    public func validate(_ settings: [SlurmOptions.Setting]) throws {
        let all = try Subprocess.run(sbatch, ["--test-only"] + settings.map(\.argument) + ["--wrap", "true"])
        guard all.status != 0 else { return }
        for s in settings {
            let alone = try Subprocess.run(sbatch, ["--test-only", s.argument, "--wrap", "true"])
            if alone.status != 0 {
                throw ClusterError("SLURM rejected \(s.argument) (from \(s.origin)): \(alone.message)")
            }
        }
        throw ClusterError("SLURM rejected the combination \(settings.map(\.argument).joined(separator: " ")): \(all.message)")
    }

    /// Submits `units` as one array job (task id = unit index) and returns its job id.
    func submit(units: [Int], after: [String], settings: [SlurmOptions.Setting], arrayLimit: Int?,
                name: String, command: String, log: String) throws -> String {
        var args = ["--parsable", "--job-name=\(name)", "--array=\(Self.ranges(units))" + (arrayLimit.map { "%\($0)" } ?? ""),
                    "--output=\(log)"]
        if !after.isEmpty { args += ["--dependency=afterok:" + after.joined(separator: ":"), "--kill-on-invalid-dep=yes"] }
        return try submit(args + settings.map(\.argument) + ["--wrap", command], settings: settings)
    }

    /// Submits the job that collects the units' results once all of them have ended (however they ended).
    func submitCollect(after: [String], settings: [SlurmOptions.Setting], name: String, command: String, log: String) throws -> String {
        var args = ["--parsable", "--job-name=\(name)", "--output=\(log)"]
        if !after.isEmpty { args.append("--dependency=afterany:" + after.joined(separator: ":")) }
        return try submit(args + settings.map(\.argument) + ["--wrap", command], settings: settings)
    }

    private func submit(_ args: [String], settings: [SlurmOptions.Setting]) throws -> String {
        let r = try Subprocess.run(sbatch, args)
        guard r.status == 0 else {
            let culprit = settings.first { r.message.localizedCaseInsensitiveContains(String($0.argument.drop { $0 == "-" }.prefix { $0 != "=" })) }
            throw ClusterError("sbatch failed" + (culprit.map { " (because of \($0.argument) from \($0.origin))" } ?? "") + ": \(r.message)")
        }
        let id = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw ClusterError("sbatch printed no job id: \(r.message)") }
        return id
    }

    /// `0-3,5,7-8`: SLURM's array index syntax.
    static func ranges(_ indices: [Int]) -> String { indexRanges(indices, dash: "-", separator: ",") }

    /// Queued and running jobs among `jobs` (array job ids), one entry per array task (`123_4`) or job.
    public func queue(_ jobs: [String]) -> [String: (state: String, reason: String)] {
        guard !jobs.isEmpty else { return [:] }
        var out: [String: (String, String)] = [:]
        func parse(_ text: String) {
            for line in text.split(separator: "\n") {
                let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                if f.count >= 3 { out[f[0]] = (f[1], f[2]) }
            }
        }
        let args = ["-h", "-r", "-o", "%i|%T|%r", "-j"]
        if let r = try? Subprocess.run(squeue, args + [jobs.joined(separator: ",")]), r.status == 0 {
            parse(r.stdout)
        } else {
            // One unknown (already purged) job id makes squeue fail for the whole list.
            for j in jobs { if let r = try? Subprocess.run(squeue, args + [j]), r.status == 0 { parse(r.stdout) } }
        }
        return out
    }

    /// How a job that left the queue ended (`TIMEOUT`, `OUT_OF_MEMORY`, `CANCELLED`, `FAILED`, …), from
    /// scontrol while the controller remembers it, else from accounting.
    public func ending(of job: String) -> (state: String, reason: String)? {
        if let r = try? Subprocess.run(scontrol, ["-o", "show", "job", job]), r.status == 0 {
            let fields = Dictionary(r.stdout.split(separator: " ").compactMap { f -> (String, String)? in
                guard let eq = f.firstIndex(of: "=") else { return nil }
                return (String(f[..<eq]), String(f[f.index(after: eq)...]).trimmingCharacters(in: .whitespacesAndNewlines))
            }, uniquingKeysWith: { a, _ in a })
            if let s = fields["JobState"] { return (s, fields["Reason"] ?? "") }
        }
        if let sacct, let r = try? Subprocess.run(sacct, ["-n", "-P", "-X", "-j", job, "-o", "State,ExitCode"]), r.status == 0,
           let line = r.stdout.split(separator: "\n").first {
            let f = line.split(separator: "|").map(String.init)
            return (f.first?.split(separator: " ").first.map(String.init) ?? "", f.count > 1 ? "exit code \(f[1])" : "")
        }
        return nil
    }

    public func cancel(_ jobs: [String]) throws {
        guard !jobs.isEmpty else { return }
        let r = try Subprocess.run(scancel, jobs)
        guard r.status == 0 else { throw ClusterError("scancel failed: \(r.message)") }
    }
}

/// Runs of consecutive indices: `0-3,5,7-8` with "-" and ",".
public func indexRanges(_ indices: [Int], dash: String, separator: String) -> String {
    var parts: [String] = []
    var i = 0
    let s = indices.sorted()
    while i < s.count {
        var j = i
        while j + 1 < s.count && s[j + 1] == s[j] + 1 { j += 1 }
        parts.append(i == j ? "\(s[i])" : "\(s[i])\(dash)\(s[j])")
        i = j + 1
    }
    return parts.joined(separator: separator)
}
