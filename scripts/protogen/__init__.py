"""Ferry's generator of Swift message types over protoc-c output; see
scripts/generate-swift-messages.py, its entry point."""
