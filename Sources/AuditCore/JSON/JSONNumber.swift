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
