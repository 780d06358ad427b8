/// The canonical text of a JSON number: equal for equal values, whatever the notation.
///
/// `1.50`, `1.5` and `15e-1` all become `15e-1`; `6.02214076e23` and
/// `602214076000000000000000` both become `602214076e15`; `-0` and `0.0` become `0`.
/// PostgreSQL `jsonb` stores numbers as `numeric` and may print them in another notation
/// than sent, so comparisons and content ids use this form.
enum JSONNumber {
    /// The canonical form of a literal already checked against the JSON number grammar.
    static func canonical(_ literal: String) -> String {
        let utf8 = Array(literal.utf8)
        var index = 0
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { index += 1 }
        var digits: [UInt8] = []
        var exponent = 0
        var seenPoint = false
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                digits.append(byte)
                if seenPoint { exponent -= 1 }
            } else {
                break  // 'e' or 'E'
            }
            index += 1
        }
        if index < utf8.count {
            exponent += Int(String(decoding: utf8[(index + 1)...], as: UTF8.self)) ?? 0
        }
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        guard !significant.isEmpty else { return "0" }
        var trimmed = Array(significant)
        while trimmed.last == UInt8(ascii: "0") {
            trimmed.removeLast()
            exponent += 1
        }
        let mantissa = (negative ? "-" : "") + String(decoding: trimmed, as: UTF8.self)
        return exponent == 0 ? mantissa : "\(mantissa)e\(exponent)"
    }
}

extension JSONNumber {
    /// The length of the text PostgreSQL prints for this literal once `jsonb` has stored it as
    /// `numeric`: every digit written out, no exponent (`1e5` → `100000`, `15e-3` → `0.015`,
    /// `1.50` → `1.50`). `nil` when the number is beyond `numeric` altogether (more than 131072
    /// digits before the point or 16383 after it).
    static func storedLength(_ literal: String) -> Int? {
        let utf8 = literal.utf8
        var negative = false
        var digits = 0  // digits of the mantissa, without leading zeros
        var leadingZeros = 0
        var integerDigits = 0  // mantissa digits before the point (leading zeros included)
        var fractionDigits = 0
        var seenPoint = false
        var exponentStart: String.UTF8View.Index?
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            switch byte {
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "."): seenPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if seenPoint { fractionDigits += 1 } else { integerDigits += 1 }
                if byte == UInt8(ascii: "0") && digits == 0 { leadingZeros += 1 } else { digits += 1 }
            default:
                exponentStart = utf8.index(after: index)
                index = utf8.endIndex
                continue
            }
            index = utf8.index(after: index)
        }
        var exponent = 0
        if let exponentStart {
            // Exponents beyond ±10⁹ cannot be stored whatever the digits.
            guard let parsed = Int(Substring(utf8[exponentStart...])), abs(parsed) < 1_000_000_000 else { return nil }
            exponent = parsed
        }
        // Where the decimal point falls, counted in mantissa digits from the left.
        let point = integerDigits + exponent
        let scale = max(0, fractionDigits - exponent)
        let integerPart = max(1, point - min(leadingZeros, max(point, 0)))
        guard point - min(leadingZeros, max(point, 0)) <= 131_072, scale <= 16_383 else { return nil }
        let isZero = digits == 0
        return (negative && !isZero ? 1 : 0) + integerPart + (scale > 0 ? 1 + scale : 0)
    }
}
