import EqxIR
import EqxSyntax
import FuzzSupport

/// One fuzz input: parse, render every diagnostic, and — when the parse is error-free — format, re-parse and
/// demand no errors, the same tree (ranges aside) and a fixed point; then check the script as `eqx check`
/// does (data files answered by `FuzzProbe`), with every checker diagnostic's range inside the input.
/// Any violation traps, which libFuzzer records as a crash together with the input that caused it.
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
    let (program, semantic) = Checker(file: file, probe: FuzzProbe()).check(script)
    for d in semantic {
        if let r = d.range {
            precondition(r.start >= 0 && r.start <= r.end && r.end <= bytes.count, "checker diagnostic range outside the file: \(d)")
        }
    }
    precondition((program == nil) == semantic.contains(where: { $0.severity == .error }), "a program despite errors, or none without")
    _ = DiagnosticRenderer().render(semantic, in: file, color: false)
    return 0
}

/// Built-in sources as the real probe answers them; every file source as a 28×28 image set (MNIST's
/// shape and counts), so scripts naming files are checked all the way through.
struct FuzzProbe: DataProbe {
    func probe(_ source: DataSource) throws -> DataShape {
        if let shape = try? BuiltinDataProbe().probe(source) { return shape }
        return DataShape(sampleShape: [1, 28, 28], classes: 10, trainCount: 60_000, testCount: 10_000)
    }
}

runFuzzer { data, size in fuzzOne(data, size) }
