/// Why a linear assignment problem could not be solved.
public enum AssignmentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The cost array does not have rows × columns entries, or a size is negative.
    case shapeMismatch(rows: Int, columns: Int, count: Int)
    /// More rows than columns: not every row can get its own column.
    case moreRowsThanColumns(rows: Int, columns: Int)
    /// A NaN or infinite cost.
    case nonFiniteCost(row: Int, column: Int, value: Double)
    /// Finite costs whose spread overflows Double arithmetic.
    case costRangeTooLarge(minimum: Double, maximum: Double)

    public var description: String {
        switch self {
        case let .shapeMismatch(rows, columns, count):
            return "a \(rows)×\(columns) assignment problem needs \(rows * columns) costs, got \(count)"
        case let .moreRowsThanColumns(rows, columns):
            return "cannot assign \(rows) rows to distinct columns among \(columns); transpose the cost matrix"
        case let .nonFiniteCost(row, column, value):
            return "the assignment cost at row \(row), column \(column) is \(value); costs must be finite"
        case let .costRangeTooLarge(minimum, maximum):
            return "assignment costs range from \(minimum) to \(maximum), too wide for Double arithmetic"
        }
    }
}
