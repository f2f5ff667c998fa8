import Foundation

/// Uninitialised Float storage recycled through a process-wide pool, for large temporaries
/// (im2col columns, transposed gradients) that would otherwise be freshly mapped and page-faulted on
/// every step. The buffer returns to the pool when the last reference goes away, so a backward
/// closure may keep one alive until its graph is released.
final class ScratchBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let capacity: Int

    private init(pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        self.pointer = pointer
        self.capacity = capacity
    }

    /// A buffer of at least `count` scalars (contents unspecified).
    static func take(_ count: Int) -> ScratchBuffer {
        let n = max(count, 1)
        lock.lock()
        // Best fit among free buffers that are not wastefully large.
        var best: Int? = nil
        for (i, (_, cap)) in free.enumerated() where cap >= n && cap <= 2 * n + 4096 {
            if best == nil || cap < free[best!].1 { best = i }
        }
        if let i = best {
            let (p, cap) = free.remove(at: i)
            freeScalars -= cap
            lock.unlock()
            return ScratchBuffer(pointer: p, capacity: cap)
        }
        lock.unlock()
        return ScratchBuffer(pointer: .allocate(capacity: n), capacity: n)
    }

    deinit {
        ScratchBuffer.lock.lock()
        defer { ScratchBuffer.lock.unlock() }
        ScratchBuffer.free.append((pointer, capacity))
        ScratchBuffer.freeScalars += capacity
        // Keep at most `poolLimit` scalars idle: drop the oldest buffers beyond it.
        while ScratchBuffer.freeScalars > ScratchBuffer.poolLimit, !ScratchBuffer.free.isEmpty {
            let (p, cap) = ScratchBuffer.free.removeFirst()
            p.deallocate()
            ScratchBuffer.freeScalars -= cap
        }
    }

    nonisolated(unsafe) private static var free: [(UnsafeMutablePointer<Float>, Int)] = []
    nonisolated(unsafe) private static var freeScalars = 0
    private static let lock = NSLock()
    /// Idle scalars kept for reuse (64 Mi scalars = 256 MiB).
    static let poolLimit = 64 << 20

    /// Zero-fills the first `count` scalars.
    func zero(_ count: Int) { pointer.update(repeating: 0, count: count) }
}
