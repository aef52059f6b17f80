@testable import FerrySettings
import Testing

/// The names strict configuration compares against, and the suggestions it makes.
struct SettingsKeyCheckTests {
    @Test func environmentNamesFollowTheConfigurationLibrary() {
        #expect(SettingsKeyCheck.environmentName(for: "tls.clientAuth") == "FERRY_TLS_CLIENT_AUTH")
        #expect(SettingsKeyCheck.environmentName(for: "database.passwordFile") == "FERRY_DATABASE_PASSWORD_FILE")
        #expect(SettingsKeyCheck.environmentName(for: "listen") == "FERRY_LISTEN")
        #expect(SettingsKeyCheck.environmentName(for: "sync.pingIntervalSeconds") == "FERRY_SYNC_PING_INTERVAL_SECONDS")
    }

    @Test func anUnknownVariableIsRefusedWithTheNearestKnownOne() throws {
        let keys = [DocumentedSetting("tls.cert", "", ""), DocumentedSetting("listen", "", "")]
        try SettingsKeyCheck.checkEnvironment(["FERRY_TLS_CERT": "a", "HOME": "/root", "FERRYCTL_CA": "b"], keys: keys)
        let error = #expect(throws: SettingsError.self) {
            try SettingsKeyCheck.checkEnvironment(["FERRY_TLS_CRT": "a"], keys: keys)
        }
        #expect(error?.key == "FERRY_TLS_CRT")
        #expect(error?.message.contains("did you mean FERRY_TLS_CERT?") == true, "\(String(describing: error))")
    }

    @Test func nearMissesAreSuggestedAndFarOnesAreNot() {
        let flags = ["--listen", "--tls-cert", "--tls-key"]
        #expect(NearMiss.suggestion(for: "--lisen", among: flags) == "--listen")
        #expect(NearMiss.suggestion(for: "--tls-crt", among: flags) == "--tls-cert")
        #expect(NearMiss.suggestion(for: "--database-url", among: flags) == nil)
        #expect(NearMiss.suggestion(for: "ab", among: ["xy"]) == nil)
        #expect(NearMiss.editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(NearMiss.clause(for: "--lisen", among: flags) == " (did you mean --listen?)")
        #expect(NearMiss.clause(for: "--zzz", among: flags) == "")
    }
}
