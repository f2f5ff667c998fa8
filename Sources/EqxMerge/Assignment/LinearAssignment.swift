/// Exact linear assignment (the problem SciPy's `linear_sum_assignment` solves).
///
/// Given a rows×columns cost matrix C (row-major, rows ≤ columns), find distinct columns σ(i) for every
/// row minimising (or maximising) Σ_i C[i, σ(i)]. The solver is the shortest-augmenting-path method with
/// dual potentials (the core of Jonker–Volgenant / the Hungarian algorithm): each row is added by one
/// Dijkstra search over reduced costs, O(rows² · columns) in total, exact for any finite costs.
///
/// Ties are broken deterministically: among columns with equal reduced distance the smallest index wins,
/// so the same input always gives the same assignment (not necessarily the lexicographically smallest
/// optimal one). NaN or infinite costs are rejected with `AssignmentError.nonFiniteCost`.
public enum LinearAssignment {
    /// The optimal assignment: result[i] is the column of row i.
    public static func solve(cost: [Double], rows: Int, columns: Int, maximize: Bool = false) throws -> [Int] {
        guard rows >= 0, columns >= 0, cost.count == rows * columns else {
            throw AssignmentError.shapeMismatch(rows: rows, columns: columns, count: cost.count)
        }
        guard rows <= columns else { throw AssignmentError.moreRowsThanColumns(rows: rows, columns: columns) }
        if rows == 0 { return [] }
        var minimum = Double.infinity, maximum = -Double.infinity
        for (k, value) in cost.enumerated() {
            guard value.isFinite else {
                throw AssignmentError.nonFiniteCost(row: k / columns, column: k % columns, value: value)
            }
            minimum = min(minimum, value)
            maximum = max(maximum, value)
        }
        // Potentials stay within a few multiples of the cost spread; keep that far from overflow.
        guard (maximum - minimum) * Double(rows + 1) < Double.greatestFiniteMagnitude / 4 else {
            throw AssignmentError.costRangeTooLarge(minimum: minimum, maximum: maximum)
        }
        // Shift costs to start at 0 (does not change the optimum) and negate to maximise.
        let shifted = maximize ? cost.map { maximum - $0 } : cost.map { $0 - minimum }
        return shifted.withUnsafeBufferPointer { solveMinimum($0, rows: rows, columns: columns) }
    }

    /// Σ_i cost[i, assignment[i]].
    public static func total(cost: [Double], columns: Int, assignment: [Int]) -> Double {
        assignment.enumerated().reduce(0) { $0 + cost[$1.offset * columns + $1.element] }
    }

    /// Minimisation on finite, non-negative costs. Columns are numbered 1...columns internally; column 0 is
    /// the virtual start of each augmenting path.
    private static func solveMinimum(_ cost: UnsafeBufferPointer<Double>, rows: Int, columns: Int) -> [Int] {
        let m = columns
        var rowPotential = [Double](repeating: 0, count: rows + 1)     // u, rows 1...rows
        var columnPotential = [Double](repeating: 0, count: m + 1)     // v
        var rowOfColumn = [Int](repeating: 0, count: m + 1)            // 0 = free
        var previousColumn = [Int](repeating: 0, count: m + 1)
        var distance = [Double](repeating: 0, count: m + 1)
        var visited = [Bool](repeating: false, count: m + 1)

        rowPotential.withUnsafeMutableBufferPointer { u in
        columnPotential.withUnsafeMutableBufferPointer { v in
        rowOfColumn.withUnsafeMutableBufferPointer { p in
        previousColumn.withUnsafeMutableBufferPointer { way in
        distance.withUnsafeMutableBufferPointer { minv in
        visited.withUnsafeMutableBufferPointer { used in
            for row in 1...rows {
                p[0] = row
                var j0 = 0
                for j in 0...m {
                    minv[j] = .infinity
                    used[j] = false
                }
                // Dijkstra over reduced costs until a free column is reached.
                repeat {
                    used[j0] = true
                    let i0 = p[j0]
                    let base = (i0 - 1) * m - 1        // cost[i0 - 1, j - 1] = cost[base + j]
                    let ui0 = u[i0]
                    var delta = Double.infinity
                    var j1 = 0
                    for j in 1...m where !used[j] {
                        let reduced = cost[base + j] - ui0 - v[j]
                        if reduced < minv[j] {
                            minv[j] = reduced
                            way[j] = j0
                        }
                        if minv[j] < delta {
                            delta = minv[j]
                            j1 = j
                        }
                    }
                    for j in 0...m {
                        if used[j] {
                            u[p[j]] += delta
                            v[j] -= delta
                        } else {
                            minv[j] -= delta
                        }
                    }
                    j0 = j1
                } while p[j0] != 0
                // Augment along the path back to the virtual column 0.
                repeat {
                    let j1 = way[j0]
                    p[j0] = p[j1]
                    j0 = j1
                } while j0 != 0
            }
        }}}}}}

        var assignment = [Int](repeating: -1, count: rows)
        for j in 1...m where rowOfColumn[j] != 0 { assignment[rowOfColumn[j] - 1] = j - 1 }
        return assignment
    }
}
