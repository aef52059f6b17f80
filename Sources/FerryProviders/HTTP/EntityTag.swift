/// Entity tags as providers send them: quoted in headers (`"abc"`, weak `W/"abc"`), bare in
/// some listings (Azure's `0x8D…`). ``ListedObject`` and ``WrittenObject`` keep them bare.
enum EntityTag {
    /// An entity tag without its weakness marker and surrounding quotes.
    static func unquoted(_ etag: String) -> String {
        var text = Substring(etag)
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = text.dropFirst().dropLast() }
        return String(text)
    }
}
