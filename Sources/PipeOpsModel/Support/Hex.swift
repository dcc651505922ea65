import Crypto
import Foundation

extension SHA256.Digest {
    /// Lower-case hexadecimal, as every hash pipeops prints or stores is written.
    package var hex: String { map { String(format: "%02x", $0) }.joined() }
}
