import CBLAS
import Foundation

/// A scalar type tensors can hold: Float (the default, `Tensor`) or Double (`Tensor64`, for checks that
/// must reach float64 rounding). The requirements are what the runtime cannot get generically from
/// `BinaryFloatingPoint`: the BLAS routines of the precision and the libm functions.
public protocol TensorScalar: BinaryFloatingPoint, SIMDScalar, Sendable, CustomStringConvertible
    where Self.SIMD4Storage: Sendable, Self.SIMD8Storage: Sendable {
    /// The name in checkpoints (safetensors `F32`/`F64`) and messages (`float32`/`float64`).
    static var precisionName: String { get }

    /// Row-major `C = alpha·op(A)·op(B) + beta·C` (cblas_sgemm / cblas_dgemm).
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int, beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// `y += alpha·x` over `count` scalars (cblas_saxpy / cblas_daxpy).
    static func axpy(count: Int, alpha: Self, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)
    static func exp(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self

    // Eight-lane arithmetic for the vector kernels (`Lanes8`). Generic code on SIMD8<Self> would bind
    // the standard library's lane-by-lane generic operators; these bind the concrete vector ones.
    static func add(_ a: SIMD8<Self>, _ b: SIMD8<Self>) -> SIMD8<Self>
    static func subtract(_ a: SIMD8<Self>, _ b: SIMD8<Self>) -> SIMD8<Self>
    static func multiply(_ a: SIMD8<Self>, _ b: SIMD8<Self>) -> SIMD8<Self>
    static func laneSum(_ a: SIMD8<Self>) -> Self
    /// a where m > 0, else 0.
    static func keep(_ a: SIMD8<Self>, wherePositive m: SIMD8<Self>) -> SIMD8<Self>
    /// Four-lane sum, for rows too narrow for eight lanes.
    static func add(_ a: SIMD4<Self>, _ b: SIMD4<Self>) -> SIMD4<Self>
}

extension Float: TensorScalar {
    public static var precisionName: String { "float32" }

    @inline(__always)
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inline(__always)
    public static func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
    }

    @inline(__always) public static func exp(_ x: Float) -> Float { expf(x) }
    @inline(__always) public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }

    @inline(__always) public static func add(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a + b }
    @inline(__always) public static func add(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a + b }
    @inline(__always) public static func subtract(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a - b }
    @inline(__always) public static func multiply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a * b }
    @inline(__always) public static func laneSum(_ a: SIMD8<Float>) -> Float { a.sum() }
    @inline(__always) public static func keep(_ a: SIMD8<Float>, wherePositive m: SIMD8<Float>) -> SIMD8<Float> {
        a.replacing(with: 0, where: .!(m .> SIMD8<Float>()))
    }
}

extension Double: TensorScalar {
    public static var precisionName: String { "float64" }

    @inline(__always)
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafePointer<Double>, ldb: Int, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inline(__always)
    public static func axpy(count: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(Int32(count), alpha, x, 1, y, 1)
    }

    @inline(__always) public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }

    @inline(__always) public static func add(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> { a + b }
    @inline(__always) public static func add(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> { a + b }
    @inline(__always) public static func subtract(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> { a - b }
    @inline(__always) public static func multiply(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> { a * b }
    @inline(__always) public static func laneSum(_ a: SIMD8<Double>) -> Double { a.sum() }
    @inline(__always) public static func keep(_ a: SIMD8<Double>, wherePositive m: SIMD8<Double>) -> SIMD8<Double> {
        a.replacing(with: 0, where: .!(m .> SIMD8<Double>()))
    }
}

/// The float64 tensor and autodiff node.
public typealias Tensor64 = TensorOf<Double>
public typealias Variable64 = VariableOf<Double>

extension TensorOf {
    /// The same tensor in another precision (Float → Double is exact; Double → Float rounds to nearest).
    @_specialize(where Scalar == Float, Target == Float)
    @_specialize(where Scalar == Float, Target == Double)
    @_specialize(where Scalar == Double, Target == Float)
    @_specialize(where Scalar == Double, Target == Double)
    public func converted<Target: TensorScalar>(to: Target.Type = Target.self) -> TensorOf<Target> {
        if let same = self as? TensorOf<Target> { return same }
        return TensorOf<Target>(uncheckedShape: shape, scalars: scalars.map { Target($0) })
    }
}

/// Eight scalars in vector registers, with the arithmetic of their scalar type's concrete SIMD8.
@usableFromInline
struct Lanes8<Scalar: TensorScalar> {
    var value: SIMD8<Scalar>

    @inline(__always) init(_ value: SIMD8<Scalar>) { self.value = value }
    @inline(__always) init(repeating s: Scalar = 0) { value = SIMD8(repeating: s) }
    /// Lanes x[i]..<x[i+8], unaligned.
    @inline(__always) init(_ x: UnsafePointer<Scalar>, _ i: Int) { value = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Scalar>.self) }

    @inline(__always) static func + (a: Lanes8, b: Lanes8) -> Lanes8 { Lanes8(Scalar.add(a.value, b.value)) }
    @inline(__always) static func - (a: Lanes8, b: Lanes8) -> Lanes8 { Lanes8(Scalar.subtract(a.value, b.value)) }
    @inline(__always) static func * (a: Lanes8, b: Lanes8) -> Lanes8 { Lanes8(Scalar.multiply(a.value, b.value)) }
    @inline(__always) static func += (a: inout Lanes8, b: Lanes8) { a = a + b }
    @inline(__always) func sum() -> Scalar { Scalar.laneSum(value) }
    @inline(__always) func keeping(wherePositive m: Lanes8) -> Lanes8 { Lanes8(Scalar.keep(value, wherePositive: m.value)) }
    /// Writes the lanes to p[0..<8], unaligned.
    @inline(__always) func store(to p: UnsafeMutablePointer<Scalar>) { UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Scalar>.self) }
}
