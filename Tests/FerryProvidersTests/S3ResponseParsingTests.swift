import FerryCore
import Testing

@testable import FerryProviders

/// The XML S3 answers with, parsed with FoundationXML.
struct S3ResponseParsingTests {
    @Test func aListingPageGivesKeysSizesUnquotedETagsDatesAndTheNextToken() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bucket</Name><Prefix>data/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
              <IsTruncated>true</IsTruncated><NextContinuationToken>tok/en+==</NextContinuationToken>
              <Contents><Key>data/a &amp; b.json</Key><LastModified>2026-05-01T12:34:56.000Z</LastModified>
                <ETag>&quot;9a0364b9e99bb480dd25e1f0284c8555&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>data/sub/c.json</Key><LastModified>2026-05-01T12:34:57Z</LastModified>
                <ETag>"abc-2"</ETag><Size>0</Size></Contents>
              <CommonPrefixes><Prefix>data/other/</Prefix></CommonPrefixes>
            </ListBucketResult>
            """
        let page = try S3ListingPage(Array(xml.utf8), subject: "s3://bucket")
        #expect(page.objects.map(\.key) == ["data/a & b.json", "data/sub/c.json"])
        #expect(page.objects.map(\.size) == [12, 0])
        #expect(page.objects.map(\.etag) == ["9a0364b9e99bb480dd25e1f0284c8555", "abc-2"])
        #expect(page.objects.first?.lastModified == .unixSeconds(1_777_638_896))
        #expect(page.nextContinuationToken == "tok/en+==")
    }

    @Test func theLastPageHasNoToken() throws {
        let xml = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"
        let page = try S3ListingPage(Array(xml.utf8), subject: "s3://bucket")
        #expect(page.objects.isEmpty)
        #expect(page.nextContinuationToken == nil)
    }

    @Test func somethingElseIsNotAListing() {
        #expect(throws: ProviderError.self) { try S3ListingPage(Array("<html>proxy</html>".utf8), subject: "s3://b") }
        #expect(throws: ProviderError.self) { try S3ListingPage(Array("not xml".utf8), subject: "s3://b") }
    }

    @Test func anErrorBodyGivesCodeAndMessage() {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>
            <BucketName>missing</BucketName><RequestId>1</RequestId></Error>
            """
        #expect(S3ErrorBody(Array(xml.utf8)) == S3ErrorBody(code: "NoSuchBucket", message: "The specified bucket does not exist"))
        #expect(S3ErrorBody([]) == S3ErrorBody(code: nil, message: nil))
    }
}
