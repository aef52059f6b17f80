import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads an S3 XML response with Foundation's `XMLParser`: every element's text, reported with
/// the path of element names leading to it (`["ListBucketResult", "Contents", "Key"]`).
final class S3XMLReader: NSObject, XMLParserDelegate {
    private var path: [String] = []
    private var text = ""
    private let onElement: (_ path: [String], _ text: String) -> Void

    private init(onElement: @escaping (_ path: [String], _ text: String) -> Void) {
        self.onElement = onElement
    }

    /// Parses `bytes`, calling `onElement` as each element ends.
    ///
    /// - Returns: `false` when the bytes are not well-formed XML.
    static func read(_ bytes: [UInt8], onElement: @escaping (_ path: [String], _ text: String) -> Void) -> Bool {
        let reader = S3XMLReader(onElement: onElement)
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        return parser.parse()
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String] = [:]
    ) {
        path.append(elementName)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        onElement(path, text)
        path.removeLast()
        text = ""
    }
}
