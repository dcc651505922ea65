import Crypto
import Foundation

/// Lower-case hexadecimal, as every hash and signature pipeops prints, stores or sends is
/// written: two digits per byte from a table (`String(format: "%02x")` per byte went through
/// Foundation's formatter, ~0.2 ms per SHA-256).
package enum Hex {
    package static func lowercase<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits: StaticString = "0123456789abcdef"
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        digits.withUTF8Buffer { table in
            for byte in bytes {
                text.append(table[Int(byte >> 4)])
                text.append(table[Int(byte & 0x0f)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension SHA256.Digest {
    package var hex: String { Hex.lowercase(self) }
}
