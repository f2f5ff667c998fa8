import EqxIR
import EqxNN
import EqxRuntime
import EqxSyntax
import EqxTraining

/// Ctrl-C during a training keeps what was trained: the input is cut after the interrupted `train`
/// statement (what follows it did not run), the weights so far stay under the train's name, and `:info`
/// and `:type` say the training is incomplete. `:save` writes the statement as typed, so `eqx run` trains
/// it to the end.
extension ReplSession {
    typealias PartialTraining = (network: Network, outcome: TrainingOutcome, spec: TrainSpec)

    /// Keeps the interrupted training when the input cut after its statement is still a valid session whose
    /// steps are exactly those that ran plus the training; returns the message, or nil to roll back instead
    /// (a training inside `repeat` or `for`, for example, cannot be cut out of its loop).
    func keepInterruptedTraining(_ interrupted: (executor: Executor, done: [Step], partial: PartialTraining),
                                 candidate: SessionScript, composed: ComposedScript, tainted before: Set<String>) -> String? {
        let spec = interrupted.partial.spec
        let index = composed.segmentIndex(containing: spec.range.start)
        guard index == composed.segments.count - 1, var last = candidate.segments.last else { return nil }
        let cut = spec.range.end - composed.starts[index]
        let bytes = Array(last.text.utf8)
        guard cut > 0, cut <= bytes.count else { return nil }
        let rest = String(decoding: bytes.suffix(from: cut), as: UTF8.self)
        last.text = String(decoding: bytes.prefix(cut), as: UTF8.self) + "\n"
        var truncated = candidate
        truncated.segments[truncated.segments.count - 1] = last
        let checked = check(truncated.composed())
        guard !checked.hasErrors, let program = checked.program,
              program.steps == interrupted.done + [.train(spec)] else { return nil }
        let fresh = interrupted.executor !== executor
        interrupted.executor.keep(interrupted.partial)
        script = truncated
        accepted = checked
        executor = interrupted.executor
        executed = program.steps
        tainted = fresh ? [] : before
        let skipped = parse(SourceFile(name: "", text: rest)).0.statements.isEmpty ? ""
            : "; the statements after it in this input did not run"
        return "interrupted: '\(spec.id)' stopped after \(formatCount(interrupted.partial.outcome.steps)) steps; "
            + "it keeps the weights trained so far, marked incomplete\(skipped)\n"
    }

    /// ` (incomplete: stopped after 37 steps)` for a training Ctrl-C interrupted, else empty.
    func incompleteNote(_ id: String) -> String {
        guard let o = executor?.trained[id]?.outcome, o.interrupted else { return "" }
        return " (incomplete: stopped after \(formatCount(o.steps)) steps)"
    }
}
