import Foundation

/// Uninitialised scalar storage recycled through a process-wide pool, for large temporaries
/// (im2col columns, transposed gradients) that would otherwise be freshly mapped and page-faulted on
/// every step. The buffer returns to the pool when the last reference goes away, so a backward
/// closure may keep one alive until its graph is released. The pool holds raw bytes, shared by both
/// precisions; each buffer binds its memory to its scalar type when taken.
/// Float32 scratch (the default precision).
typealias ScratchBuffer = ScratchBufferOf<Float>

final class ScratchBufferOf<Scalar: TensorScalar> {
    let pointer: UnsafeMutablePointer<Scalar>
    let capacity: Int

    private init(pointer: UnsafeMutablePointer<Scalar>, capacity: Int) {
        self.pointer = pointer
        self.capacity = capacity
    }

    /// A buffer of at least `count` scalars (contents unspecified).
    static func take(_ count: Int) -> ScratchBufferOf {
        let (raw, bytes) = ScratchPool.take(bytes: max(count, 1) * MemoryLayout<Scalar>.stride)
        return ScratchBufferOf(pointer: raw.bindMemory(to: Scalar.self, capacity: bytes / MemoryLayout<Scalar>.stride),
                             capacity: bytes / MemoryLayout<Scalar>.stride)
    }

    deinit {
        ScratchPool.give(UnsafeMutableRawPointer(pointer), bytes: capacity * MemoryLayout<Scalar>.stride)
    }

    /// Zero-fills the first `count` scalars.
    func zero(_ count: Int) { pointer.update(repeating: 0, count: count) }
}

/// The free raw blocks behind `ScratchBuffer`, best fit first.
enum ScratchPool {
    nonisolated(unsafe) private static var free: [(UnsafeMutableRawPointer, Int)] = []
    nonisolated(unsafe) private static var freeBytes = 0
    private static let lock = NSLock()
    /// Idle bytes kept for reuse (256 MiB).
    static let poolLimit = 256 << 20

    /// A block of at least `n` bytes, and its size.
    static func take(bytes n: Int) -> (UnsafeMutableRawPointer, Int) {
        lock.lock()
        // Best fit among free blocks that are not wastefully large.
        var best: Int? = nil
        for (i, (_, cap)) in free.enumerated() where cap >= n && cap <= 2 * n + 16384 {
            if best == nil || cap < free[best!].1 { best = i }
        }
        if let i = best {
            let block = free.remove(at: i)
            freeBytes -= block.1
            lock.unlock()
            return block
        }
        lock.unlock()
        return (.allocate(byteCount: n, alignment: 16), n)
    }

    static func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        lock.lock()
        defer { lock.unlock() }
        free.append((pointer, bytes))
        freeBytes += bytes
        // Keep at most `poolLimit` bytes idle: drop the oldest blocks beyond it.
        while freeBytes > poolLimit, !free.isEmpty {
            let (p, cap) = free.removeFirst()
            p.deallocate()
            freeBytes -= cap
        }
    }
}
