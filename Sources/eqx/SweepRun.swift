import ArgumentParser
import EqxCluster
import EqxData
import EqxRuntime
import EqxSyntax
import Foundation

/// `eqx run FILE --jobs N` and `eqx run FILE --slurm`: the script's units run apart and are collected into
/// the run directory a plain `eqx run --threads T` would make, with the same results.
struct SweepRun {
    let options: SweepOptions
    let file: String
    let threads: Int?
    let out: String?
    let resume: Bool
    let quiet: Bool

    func run(_ operative: OperativeScript, scriptDirectory: URL, source: SourceFile, diagnosticsFormat: DiagnosticsFormat) throws {
        do {
            try execute(operative, scriptDirectory: scriptDirectory)
        } catch let e as ClusterError {
            Terminal.error(e.message)
            throw ExitCode(Exit.runtimeFailure)
        } catch let e as RuntimeError {
            Terminal.error(e.message)
            throw ExitCode(e.exitCode)
        } catch DataError.io(let path, let reason) {
            Terminal.error("I/O error: \(path): \(reason)")
            throw ExitCode(Exit.ioError)
        }
    }

    private func runOptions(_ scriptDirectory: URL, threads: Int) -> RunOptions {
        RunOptions(scriptName: ScriptInput.stem(file), scriptDirectory: scriptDirectory,
                   outputDirectory: out.map { URL(fileURLWithPath: $0) }, threads: threads)
    }

    private func execute(_ operative: OperativeScript, scriptDirectory: URL) throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if options.dryRun {
            let t = threads ?? options.cpusPerTask ?? (options.jobs.map { max(1, cores / $0) } ?? (options.slurm ? 1 : cores))
            try PlanPrinter.print(operative, options: runOptions(scriptDirectory, threads: t))
            return
        }
        let eqx = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        if let jobs = options.jobs {
            let t = threads ?? max(1, cores / jobs)
            var sweep = try Sweep(program: operative.program, canonicalSource: operative.source, options: runOptions(scriptDirectory, threads: t),
                                  script: file, backend: .local, resume: resume, slurm: nil)
            say("run \(sweep.plan.runID) → \(sweep.layout.run.path)")
            say("\(sweep.todo.count) of \(sweep.graph.units.count) units, \(jobs) at once, \(t) thread\(t == 1 ? "" : "s") each")
            let live = LiveLine(quiet: quiet)
            let layout = sweep.layout
            let failed = try LocalPool.run(&sweep, jobs: jobs, eqx: eqx, tick: {
                if let s = try? SweepStatus.read(layout, slurm: nil) { live.show(SweepDisplay.line(s)) }
            }, shouldStop: { Interrupt.requested })
            live.close()
            let progress = ProgressPrinter(quiet: quiet)
            let missing = try UnitJob.collect(sweep.layout, observer: { event in
                if case .started = event { return }
                progress.handle(event)
            })
            progress.finish()
            if !missing.isEmpty || !failed.isEmpty {
                Terminal.error("\(missing.count) unit\(missing.count == 1 ? "" : "s") did not finish; the run is incomplete",
                               help: "`eqx status \(sweep.layout.run.path)` says why; `eqx run \(file) --jobs \(jobs) --resume` runs only those")
                throw ExitCode(Exit.runtimeFailure)
            }
            return
        }
        let slurm = try Slurm.locate()
        let defaults = try SlurmOptions.defaults(from: SlurmOptions.defaultsFile(scriptDirectory: scriptDirectory))
        let settings = defaults.overridden(by: options.slurmOptions)
        let t = threads ?? settings.cpusPerTask ?? 1
        var sweep = try Sweep(program: operative.program, canonicalSource: operative.source, options: runOptions(scriptDirectory, threads: t),
                              script: file, backend: .slurm, resume: resume, slurm: slurm)
        let submitted = try sweep.submit(to: slurm, options: settings, eqx: eqx)
        print("run \(sweep.plan.runID) → \(sweep.layout.run.path)")
        if sweep.todo.count < sweep.graph.units.count {
            print("\(sweep.graph.units.count - sweep.todo.count) of \(sweep.graph.units.count) units already finished; submitting the other \(sweep.todo.count)")
        }
        for s in submitted {
            print(s.collect ? "  job \(s.jobID): collect the results"
                            : "  job \(s.jobID): unit\(s.units.count == 1 ? "" : "s") \(SweepDisplay.ranges(s.units)) (\(t) CPU\(t == 1 ? "" : "s") each)")
        }
        guard options.wait else {
            print("follow it with `eqx status \(sweep.layout.run.path)`; `eqx cancel \(sweep.layout.run.path)` stops it")
            return
        }
        let live = LiveLine(quiet: quiet)
        var status = try SweepStatus.read(sweep.layout, slurm: slurm)
        while !(status.settled && (status.collect != nil || !status.collecting)) {
            if Interrupt.requested {
                live.close()
                print("stopped watching; the jobs go on (`eqx status \(sweep.layout.run.path)`)")
                throw ExitCode(Exit.interrupted)
            }
            live.show(SweepDisplay.line(status))
            Thread.sleep(forTimeInterval: 1)
            status = try SweepStatus.read(sweep.layout, slurm: slurm)
        }
        live.show(SweepDisplay.line(status))
        live.close()
        if let c = status.collect, c.complete {
            print("results in \(sweep.layout.run.path)")
        } else {
            Terminal.error("the run is incomplete: \(status.unfinished.map { "unit \($0.index) \($0.state.rawValue)" }.joined(separator: ", "))",
                           help: "`eqx status \(sweep.layout.run.path)` says why; `eqx run \(file) --slurm --resume` reruns only those")
            throw ExitCode(Exit.runtimeFailure)
        }
    }

    private func say(_ s: String) { if !quiet { print(s) } }
}

/// One status line that rewrites itself on a terminal; elsewhere (logs) a line when the counts change or
/// every 30 seconds.
final class LiveLine {
    let quiet: Bool
    private var lastKey = ""
    private var lastPrint = Date.distantPast
    private var open = false
    init(quiet: Bool) { self.quiet = quiet }

    func show(_ line: (text: String, key: String)) {
        guard !quiet else { return }
        if Terminal.standardOutputIsTerminal {
            FileHandle.standardOutput.write(("\r\u{1B}[K" + line.text).data(using: .utf8)!)
            open = true
        } else if line.key != lastKey || Date().timeIntervalSince(lastPrint) >= 30 {
            print(line.text)
            lastKey = line.key
            lastPrint = Date()
        }
    }

    func close() {
        if open { print(""); open = false }
        fflush(stdout)
    }
}
