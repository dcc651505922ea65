import Crypto
import Foundation
import Testing

@testable import PipeOpsModel

struct HexTests {
    @Test func everyByteIsTwoLowerCaseDigits() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Hex.lowercase(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        #expect(Hex.lowercase([UInt8]()) == "")
        // FIPS 180-2's first example.
        #expect(SHA256.hash(data: Data("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
