import Testing
import TestSupport
@testable import ChannelKit
@testable import Ingest
import Digests

/// Emails, phones and bands are checked and normalised on their bytes when they are ASCII
/// (nearly always), by their characters otherwise. Both routes must agree on every value.
@Suite struct ContactValuesTests {
    /// Pieces of values: ASCII that matters to the rules, and what is not ASCII — a combining
    /// mark that joins the character before it, CR-LF (one character), digits of other scripts.
    static let pieces = ["a", "Z", "0", "7", "@", ".", " ", "\t", "-", "+", "(", ")", "é", "\u{301}", "\r\n", "١", "５", "ß", "x.y", "@ex.com"]

    static func values(seed: UInt64, count: Int) -> [String] {
        var rng = SplitMix(seed: seed)
        return (0..<count).map { _ in
            (0..<Int.random(in: 0...9, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
        }
    }

    static let handPicked = [
        "an@example.com", " An@Example.COM\t", "@example.com", "an@", "an@example", "an@.com", "an@com.", "an@@x.com", "a n@x.com",
        "an@x.com@y.com", "an\u{301}@x.com", "a \u{301}@x.com", "a@\u{301}x.com", "ÄN@x.com",
        "+84 90 123 4567", "(090) 123-4567", "12345", "1234567890123456", "+84 90 １23 4567", "+\u{301}84901234567", " +84 90 123 4567 ",
        "25-34", "65+", "1000+", "-5", "5-", "1-2-3", "1-2+", "+", "", "1\u{301}-2", "1-\u{301}2", "11-50",
    ]

    @Test(arguments: 0..<4) func bothRoutesAgree(seed: UInt64) {
        for value in Self.handPicked + Self.values(seed: seed, count: 4_000) {
            #expect(ContactValidation.isPlausibleEmail(value) == ContactValidation.isPlausibleEmailByCharacters(value), "\(value.debugDescription)")
            #expect(ContactValidation.isPlausiblePhone(value) == ContactValidation.isPlausiblePhoneByCharacters(value), "\(value.debugDescription)")
            #expect(IdentifierHasher.normaliseEmail(value) == IdentifierHasher.normaliseEmailByCharacters(value), "\(value.debugDescription)")
            #expect(IdentifierHasher.normalisePhone(value) == IdentifierHasher.normalisePhoneByCharacters(value), "\(value.debugDescription)")
            #expect(CoreFormats.isBand(value) == CoreFormats.isBandByCharacters(value), "\(value.debugDescription)")
        }
    }

    @Test func handWorkedAnswers() {
        #expect(ContactValidation.isPlausibleEmail("an@example.com"))
        #expect(!ContactValidation.isPlausibleEmail("an@@x.com") && !ContactValidation.isPlausibleEmail("a n@x.com") && !ContactValidation.isPlausibleEmail("an@com."))
        #expect(ContactValidation.isPlausiblePhone("+84 90 123 4567") && !ContactValidation.isPlausiblePhone("12345") && !ContactValidation.isPlausiblePhone("1234567890123456"))
        #expect(IdentifierHasher.normaliseEmail(" An@Example.COM\t") == "an@example.com")
        #expect(IdentifierHasher.normalisePhone(" +84 (90) 123-4567 ") == "+84901234567")
        #expect(IdentifierHasher.normalisePhone("090.123.4567") == "0901234567")
        #expect(CoreFormats.isBand("25-34") && CoreFormats.isBand("1000+") && !CoreFormats.isBand("1-2+") && !CoreFormats.isBand("-5"))
    }

    /// The hash is SHA-256 of `<salt>|email:<normalised>` (and `phone:`), as it was before the
    /// prefix was kept as bytes: a change here would split every warehouse's leads in two.
    @Test func hashesAreTheSaltedSHA256OfTheNormalisedValue() {
        let hasher = IdentifierHasher(salt: "s4lt")
        #expect(hasher.hashEmail(" An@Example.com") == SHA256.hash(Array("s4lt|email:an@example.com".utf8)).hex)
        #expect(hasher.hashPhone("+84 90 123 4567") == SHA256.hash(Array("s4lt|phone:+84901234567".utf8)).hex)
        // `printf '%s' 's4lt|email:an@example.com' | sha256sum`
        #expect(hasher.hashEmail("AN@example.com ") == "88ba2990af3404a0240d905060cfeafa03cd2ef9f1b1b3d279107712574a6645")
    }
}
