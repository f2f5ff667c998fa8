#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EqxSyntax

/// One fuzz input: parse, render every diagnostic, and — when the parse is error-free — format, re-parse and
/// demand no errors, the same tree (ranges aside) and a fixed point. Any violation traps, which libFuzzer
/// records as a crash together with the input that caused it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data!, count: size))
    let file = SourceFile(name: "fuzz.eqx", bytes: bytes)
    let (script, diagnostics) = parse(file)
    for d in diagnostics {
        if let r = d.range {
            precondition(r.start >= 0 && r.start <= r.end && r.end <= bytes.count, "diagnostic range outside the file")
        } else {
            precondition(d.id == "E0201", "only the empty-script diagnostic may lack a range")
        }
    }
    _ = DiagnosticRenderer().render(diagnostics, in: file, color: false)
    _ = DiagnosticJSON.encode(diagnostics, file: file)
    guard !diagnostics.contains(where: { $0.severity == .error }) else { return 0 }
    let text = format(script)
    let (again, errors) = parse(SourceFile(name: "formatted.eqx", text: text))
    precondition(!errors.contains(where: { $0.severity == .error }), "formatted output does not parse:\n\(text)\n\(errors)")
    precondition(again.strippingRanges() == script.strippingRanges(), "format changed the tree:\n\(text)")
    precondition(format(again) == text, "format is not idempotent:\n\(text)")
    return 0
}

/// libFuzzer's entry point when the program supplies its own `main` (SwiftPM gives every executable one).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, { data, size in fuzzOne(data, size) }))
