import Testing

@testable import FerryCore

/// The linear-time `regex_filter` engine: whole-key semantics of the supported syntax, bounded
/// time on patterns that make backtracking engines explode, and constructs refused by name.
@Suite("KeyPattern")
struct KeyPatternTests {
    @Test(
        "Supported syntax matches whole keys",
        arguments: [
            (#"a.c"#, "abc", true), (#"a.c"#, "a\nc", false),
            (#"[a-c]+/[^/]+\.jpe?g"#, "abcab/photo.jpg", true),
            (#"[a-c]+/[^/]+\.jpe?g"#, "abd/photo.jpg", false),
            (#"[a-c]+/[^/]+\.jpe?g"#, "ab/x/photo.jpeg", false),
            (#"\d{4}-\d{2}\.json"#, "2024-05.json", true), (#"\d{4}-\d{2}\.json"#, "202-05.json", false),
            (#"x{2,}"#, "x", false), (#"x{2,}"#, "xxxxx", true), (#"x{2,3}"#, "xxxx", false),
            (#"x{0}y"#, "y", true), (#"(ab){2}"#, "abab", true), (#"(ab){2}"#, "ab", false),
            (#"\w+\s\W"#, "snake_case9 !", true), (#"\S+"#, "a b", false), (#"\D+"#, "abc", true),
            (#"(?:img|pic)_(?<n>\d+)(?P<ext>\.png)"#, "pic_12.png", true),
            (#"a|b|"#, "", true), (#"(a|)+"#, "aaa", true), (#"(a*)*"#, "", true),
            (#"^a.*z$"#, "abcz", true), (#"\Aa\z"#, "a", true), (#"a^b"#, "ab", false),
            (#"a*?b+?"#, "aab", true), (#"[\]\-x]+"#, "]-x", true), (#"[-a]"#, "-", true), (#"[a-]"#, "-", true),
            (#"\x41\u00e9\x{1F600}"#, "Aé😀", true), (#"\.\*\\\/"#, #".*\/"#, true),
            (#"[^a-z]"#, "é", true), (#"é+"#, "éé", true), (#"\$\{\}"#, "${}", true),
            (#"(?i)img_[a-c]+\.JPE?G"#, "IMG_AbC.jpg", true), (#"(?i)[^a-z]"#, "Q", false), (#"(?i)é"#, "É", true),
            (#"(?i)\x41"#, "a", true), (#"img"#, "IMG", false),
        ]
    )
    func matching(pattern: String, key: String, expected: Bool) throws {
        #expect(try KeyFilter(pattern: pattern).matches(key) == expected, "\(pattern) on \(key)")
    }

    @Test(
        "Patterns that backtrack exponentially run in linear time",
        arguments: [#"(a+)+$"#, #"(a|a)*b"#, #"(a*)*b"#, #"(x+x+)+y"#, #"(a|aa)+c"#, #"(a?){30}a{30}"#]
    )
    func catastrophicPatternsAreLinear(pattern: String) throws {
        let filter = try KeyFilter(pattern: pattern)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for length in 30...60 {
                _ = filter.matches(String(repeating: "a", count: length) + "!")
                _ = filter.matches(String(repeating: "x", count: length))
            }
        }
        // A backtracking engine needs about 2^40 steps for one of these keys.
        #expect(elapsed < .seconds(2), "\(pattern) took \(elapsed)")
        #expect(!filter.matches(String(repeating: "a", count: 40) + "!"))
        #expect(try KeyFilter(pattern: #"(a+)+$"#).matches(String(repeating: "a", count: 40)))
        #expect(try KeyFilter(pattern: #"(a?){30}a{30}"#).matches(String(repeating: "a", count: 30)))
    }

    @Test("Matching time grows linearly with the key")
    func linearInKeyLength() throws {
        let filter = try KeyFilter(pattern: #"(a|aa|a?a)+b"#)
        let clock = ContinuousClock()
        let short = String(repeating: "a", count: 2_000)
        let long = String(repeating: "a", count: 8_000)
        _ = filter.matches(short)
        let shortTime = clock.measure { _ = filter.matches(short) }
        let longTime = clock.measure { _ = filter.matches(long) }
        // Four times the key: about four times the work (quadratic growth would be sixteen).
        #expect(longTime < shortTime * 10 + .milliseconds(20), "\(shortTime) vs \(longTime)")
    }

    @Test(
        "Constructs that need backtracking are refused, naming the construct",
        arguments: [
            (#"(a)\1"#, "backreferences"), (#"(?<n>a)\k<n>"#, "backreferences"), (#"(?P<n>a)(?P=n)"#, "backreferences"),
            (#"(?=a)a"#, "lookahead"), (#"(?!a)b"#, "lookahead"), (#"(?<=a)b"#, "lookbehind"), (#"(?<!a)b"#, "lookbehind"),
            (#"(?>a+)b"#, "atomic groups"), (#"a*+"#, "possessive"), (#"a++b"#, "possessive"),
            (#"a(?i)bc"#, "inline options"), (#"(?s)a.c"#, "inline options"), (#"\bword\b"#, "word boundaries"), (#"[[:alpha:]]"#, "POSIX classes"),
            (#"a**"#, "cannot follow another quantifier"), (#"*a"#, "nothing to repeat"), (#"a{1001}"#, "at most 1000"),
            (#"(a{1000}){100}"#, "too large"), (#"a{2,1}"#, "wrong order"), (#"(a"#, "unmatched '('"),
            (#"a)"#, "unmatched ')'"), (#"[a-"#, "unterminated character class"), (#"\q"#, "unknown escape"),
            (#"[z-a]"#, "wrong order"), (#"a{x}"#, "must start a quantifier"),
        ]
    )
    func refused(pattern: String, named construct: String) {
        do {
            _ = try KeyFilter(pattern: pattern)
            Issue.record("\(pattern) was accepted")
        } catch {
            #expect(error.fieldErrors.map(\.field) == ["regex_filter"])
            #expect(error.fieldErrors.first?.code == .invalidFormat)
            let message = error.fieldErrors.first?.message ?? ""
            #expect(message.contains(construct), "\(pattern): \(message)")
            #expect(message.contains("at character"), "\(pattern): \(message)")
        }
    }

    @Test("CreateStorage validation refuses a backreference with a regex_filter field error")
    func validatorRefusesBackreferences() {
        let errors = StorageValidatorTests.validator.validateCreate(
            kind: .import,
            provider: .s3,
            settings: StorageValidatorTests.settings { $0.regexFilter = #"(\w+)-\1\.json"# },
            secrets: .none
        )
        #expect(errors.map(\.field) == ["regex_filter"])
        #expect(errors.first?.message.contains("backreferences") == true, "\(errors)")
    }
}
