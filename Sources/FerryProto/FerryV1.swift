/// The messages and enums of the `ferry.v1` protobuf package, as Swift value types.
///
/// Each proto message is a struct conforming to ``FerryMessage`` and each proto enum an enum
/// conforming to ``FerryEnum``; both are generated from `Proto/ferry/v1/*.proto` by
/// `scripts/generate-swift-messages.py`. They hold only Swift types: the protobuf-c structs they
/// are encoded through never leave this module.
///
/// Proto conventions carry over as follows:
/// - scalars, strings, bytes and enums have no presence: an unset field reads as its zero value
///   (`0`, `""`, `[]`, `.unspecified`);
/// - a singular sub-message is an `Optional`, `nil` when absent;
/// - repeated fields are arrays;
/// - field names become lower camel case with Swift's acronym casing (`storage_id` is
///   `storageID`, `use_blob_urls` is `useBlobURLs`).
public enum FerryV1 {}
