import Foundation

/// How to read a numeric CSV file as a dataset.
public struct CSVOptions: Equatable, Sendable {
    public enum LabelColumn: Equatable, Sendable {
        case index(Int)      // 0-based
        case name(String)    // needs a header
        case last
    }

    public var label: LabelColumn
    public var hasHeader: Bool
    public var delimiter: UInt8
    /// Defaults to the largest label + 1.
    public var classes: Int?
    /// Reshape the feature columns (e.g. `[1, 8, 8]`); defaults to `[number of features]`.
    public var sampleShape: [Int]?
    /// Every feature is divided by this (e.g. 16 for the digits' 0…16 values, 255 for bytes).
    public var divisor: Float

    public init(label: LabelColumn = .last, hasHeader: Bool = false, delimiter: UInt8 = UInt8(ascii: ","),
                classes: Int? = nil, sampleShape: [Int]? = nil, divisor: Float = 1) {
        self.label = label
        self.hasHeader = hasHeader
        self.delimiter = delimiter
        self.classes = classes
        self.sampleShape = sampleShape
        self.divisor = divisor
    }
}

/// Numeric CSV files (optionally gzip-compressed): one sample per line, RFC 4180 quoting allowed,
/// blank lines ignored, `\n` or `\r\n` line ends.
public enum CSV {
    public static func load(_ url: URL, options: CSVOptions = CSVOptions(), name: String? = nil) throws -> Dataset {
        let file = try FileContent.read(url)
        return try parse(file.bytes, file: file.name, options: options,
                         name: name ?? url.deletingPathExtension().lastPathComponent)
    }

    /// Parses CSV bytes; `file` names the source in errors.
    public static func parse(_ bytes: [UInt8], file: String, options: CSVOptions, name: String) throws -> Dataset {
        let table = try read(bytes, file: file, options: options)
        let classes = options.classes ?? ((table.labels.max() ?? 0) + 1)
        if let bad = table.labels.firstIndex(where: { $0 >= classes }) {
            throw DataError.labelOutOfRange(file: file, offset: table.labelOffsets[bad], label: table.labels[bad], classes: classes)
        }
        return try Dataset(name: name, sampleShape: table.shape, inputs: table.features, labels: table.labels, classes: classes)
    }

    /// Shape, count and classes, from a full parse (so that a non-finite feature is found).
    public static func probe(_ url: URL, options: CSVOptions = CSVOptions()) throws -> DataProbe {
        let data = try load(url, options: options)
        return DataProbe(sampleShape: data.sampleShape, count: data.count, classes: data.classes)
    }

    struct Table {
        var shape: [Int]
        var features: [Float]
        var labels: [Int]
        var labelOffsets: [Int]
    }

    static func read(_ bytes: [UInt8], file: String, options: CSVOptions) throws -> Table {
        var records = RecordReader(bytes: bytes, delimiter: options.delimiter, file: file)
        var header: [String]?
        if options.hasHeader {
            header = try records.next()?.fields.map { String(decoding: $0.bytes, as: UTF8.self) }
        }
        var labelColumn: Int?
        var columnCount: Int?
        var table = Table(shape: [], features: [], labels: [], labelOffsets: [])
        var sample = -1
        while let record = try records.next() {
            sample += 1
            let fields = record.fields
            if columnCount == nil {
                columnCount = header?.count ?? fields.count
                labelColumn = try resolve(options.label, header: header, columns: columnCount!, file: file)
                let featureCount = columnCount! - 1
                let shape = options.sampleShape ?? [featureCount]
                guard featureCount > 0, checkedProduct(shape) == featureCount else {
                    throw DataError.malformed(file: file, offset: record.offset,
                                              reason: "line \(record.line): \(featureCount) feature columns do not fit the sample shape \(shape)")
                }
                table.shape = shape
            }
            guard fields.count == columnCount! else {
                throw DataError.malformed(file: file, offset: record.offset,
                                          reason: "line \(record.line) has \(fields.count) fields, expected \(columnCount!)")
            }
            for (column, field) in fields.enumerated() {
                if column == labelColumn! {
                    let text = String(decoding: field.bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                    guard let value = Double(text), value >= 0, value == value.rounded(), value < Double(Int32.max) else {
                        throw DataError.malformed(file: file, offset: field.offset,
                                                  reason: "line \(record.line), column \(column + 1): label '\(text)' is not a non-negative integer")
                    }
                    table.labels.append(Int(value))
                    table.labelOffsets.append(field.offset)
                } else {
                    guard let value = parseFloat(field.bytes) else {
                        throw DataError.malformed(file: file, offset: field.offset,
                                                  reason: "line \(record.line), column \(column + 1): '\(String(decoding: field.bytes, as: UTF8.self))' is not a number")
                    }
                    let scaled = value / options.divisor
                    guard scaled.isFinite else {
                        throw DataError.nonFinite(file: file, offset: field.offset, sample: sample, value: scaled)
                    }
                    table.features.append(scaled)
                }
            }
        }
        if columnCount == nil {
            throw DataError.malformed(file: file, offset: bytes.count, reason: "no data rows")
        }
        return table
    }

    private static func resolve(_ label: CSVOptions.LabelColumn, header: [String]?, columns: Int, file: String) throws -> Int {
        switch label {
        case .last:
            return columns - 1
        case let .index(i):
            guard i >= 0, i < columns else {
                throw DataError.invalidArgument("\(file): label column \(i) is outside 0..<\(columns)")
            }
            return i
        case let .name(name):
            guard let header else {
                throw DataError.invalidArgument("\(file): label column '\(name)' given by name but the file has no header")
            }
            guard let i = header.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == name }) else {
                throw DataError.invalidArgument("\(file): no column named '\(name)' (columns: \(header.joined(separator: ", ")))")
            }
            return i
        }
    }

    private static func parseFloat(_ bytes: ArraySlice<UInt8>) -> Float? {
        // Fast path for plain integers, the common case in image CSVs.
        var trimmed = bytes
        while let first = trimmed.first, first == 0x20 || first == 0x09 { trimmed.removeFirst() }
        while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed.removeLast() }
        if !trimmed.isEmpty, trimmed.count < 10, trimmed.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return Float(trimmed.reduce(0) { $0 * 10 + Int($1 - 0x30) })
        }
        return Float(String(decoding: trimmed, as: UTF8.self))
    }
}

/// Splits CSV bytes into records of fields, tracking byte offsets and line numbers.
struct RecordReader {
    struct Field {
        var bytes: ArraySlice<UInt8>
        var offset: Int
    }
    struct Record {
        var fields: [Field]
        var line: Int
        var offset: Int
    }

    let bytes: [UInt8]
    let delimiter: UInt8
    let file: String
    var position = 0
    var line = 1

    init(bytes: [UInt8], delimiter: UInt8, file: String) {
        self.bytes = bytes
        self.delimiter = delimiter
        self.file = file
    }

    /// The next non-blank record, or nil at the end.
    mutating func next() throws -> Record? {
        while position < bytes.count {
            let start = position
            let startLine = line
            var fields: [Field] = []
            var fieldStart = position
            var quoted: [UInt8]?
            var atEnd = false
            while !atEnd {
                if position >= bytes.count {
                    fields.append(field(from: fieldStart, to: position, quoted: quoted))
                    atEnd = true
                    break
                }
                let byte = bytes[position]
                if byte == UInt8(ascii: "\""), position == fieldStart {
                    // Quoted field: read to the closing quote, "" is an escaped quote.
                    var content: [UInt8] = []
                    position += 1
                    while true {
                        guard position < bytes.count else {
                            throw DataError.malformed(file: file, offset: fieldStart, reason: "line \(startLine): unterminated quoted field")
                        }
                        let c = bytes[position]
                        if c == UInt8(ascii: "\"") {
                            if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\"") {
                                content.append(c)
                                position += 2
                                continue
                            }
                            position += 1
                            break
                        }
                        if c == UInt8(ascii: "\n") { line += 1 }
                        content.append(c)
                        position += 1
                    }
                    quoted = content
                    continue
                }
                if byte == delimiter {
                    fields.append(field(from: fieldStart, to: position, quoted: quoted))
                    quoted = nil
                    position += 1
                    fieldStart = position
                } else if byte == UInt8(ascii: "\n") {
                    var end = position
                    if end > fieldStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    fields.append(field(from: fieldStart, to: end, quoted: quoted))
                    position += 1
                    line += 1
                    atEnd = true
                } else {
                    position += 1
                }
            }
            let blank = fields.count == 1 && fields[0].bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }
            if !blank { return Record(fields: fields, line: startLine, offset: start) }
        }
        return nil
    }

    private func field(from start: Int, to end: Int, quoted: [UInt8]?) -> Field {
        if let quoted { return Field(bytes: quoted[...], offset: start) }
        return Field(bytes: bytes[start..<end], offset: start)
    }
}
