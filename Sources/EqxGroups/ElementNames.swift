// Human-readable element names and their parsing.
//
// trivial: "e"; mirrors: "e", "m"; C4: "e", "r", "r2", "r3"; D4: "e", "r", "r2", "r3", "m", "mr", "mr2",
// "mr3" ("mr" = m∘r); translations: "t(a,b)" (a rows down, b columns right, in lattice steps); S_n: cycle
// notation "(0 1)(2 3)", "e" for the identity; products: "(g,h)" with the factors' names.

extension FiniteGroup {
    /// The name of one element.
    public func name(of element: Int) -> String {
        precondition(elements.contains(element), "name(of: \(element)) outside \(name)")
        switch structure {
        case .trivial, .rotations, .dihedral:
            return Dihedral.names[element]
        case .mirror:
            return element == 0 ? "e" : "m"
        case let .translations(_, columns):
            return "t(\(element / columns),\(element % columns))"
        case .symmetric(let n):
            return SymmetricGroup.cycleName(SymmetricGroup.permutation(rank: element, degree: n))
        case let .directProduct(g, h):
            return "(\(g.name(of: element / h.order)),\(h.name(of: element % h.order)))"
        case let .semidirectProduct(t, k):
            return "(\(t.name(of: element / k.order)),\(k.name(of: element % k.order)))"
        }
    }

    /// The names of all elements in order. Throws for groups larger than `enumerationLimit`.
    public func elementNames() throws -> [String] {
        guard order <= FiniteGroup.enumerationLimit else {
            throw GroupError.tooLargeToEnumerate(group: name, order: order, limit: FiniteGroup.enumerationLimit)
        }
        return elements.map { name(of: $0) }
    }

    /// The element with the given name (as produced by `name(of:)`; spaces around names are ignored).
    public func element(named text: String) throws -> Int {
        guard let element = parseElement(text.trimmingSpaces) else {
            throw GroupError.unknownElement(group: name, name: text)
        }
        return element
    }

    private func parseElement(_ text: String) -> Int? {
        switch structure {
        case .trivial, .rotations, .dihedral:
            return Dihedral.names.prefix(order).firstIndex(of: text)
        case .mirror:
            return ["e", "m"].firstIndex(of: text)
        case let .translations(rows, columns):
            guard text.hasPrefix("t("), text.hasSuffix(")") else { return text == "e" ? 0 : nil }
            let parts = text.dropFirst(2).dropLast().split(separator: ",").map { Int($0.trimmingSpaces) }
            guard parts.count == 2, let a = parts[0], let b = parts[1],
                  (0..<rows).contains(a), (0..<columns).contains(b) else { return nil }
            return a * columns + b
        case .symmetric(let n):
            return SymmetricGroup.parseCycles(text, degree: n).map(SymmetricGroup.rank)
        case let .directProduct(g, h):
            guard let (first, second) = splitPair(text),
                  let a = g.parseElement(first), let b = h.parseElement(second) else { return nil }
            return a * h.order + b
        case let .semidirectProduct(t, k):
            guard let (first, second) = splitPair(text),
                  let a = t.parseElement(first), let b = k.parseElement(second) else { return nil }
            return a * k.order + b
        }
    }

    /// Splits "(x,y)" at its top-level comma.
    private func splitPair(_ text: String) -> (String, String)? {
        guard text.hasPrefix("("), text.hasSuffix(")") else { return nil }
        let inner = Array(text.dropFirst().dropLast())
        var depth = 0
        for (i, character) in inner.enumerated() {
            switch character {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0:
                return (String(inner[..<i]).trimmingSpaces, String(inner[(i + 1)...]).trimmingSpaces)
            default: break
            }
        }
        return nil
    }
}
