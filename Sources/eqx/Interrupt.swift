import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C asks the running statement to stop after its current step (a training writes a checkpoint, a
/// merge is dropped) and the run exits 130; a second Ctrl-C exits at once.
enum Interrupt {
    nonisolated(unsafe) static var requests: Int32 = 0

    static func install() {
        signal(SIGINT) { _ in
            Interrupt.requests += 1
            if Interrupt.requests >= 2 { _exit(130) }
        }
        signal(SIGTERM) { _ in Interrupt.requests += 1 }
    }

    static var requested: Bool { requests > 0 }
    static func reset() { requests = 0 }
}
