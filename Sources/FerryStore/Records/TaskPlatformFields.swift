/// The fields besides `data` that a task in the annotation platform's task format brings along
/// (`{"data": {...}, "meta": {...}, "predictions": [...], "annotations": [...]}`), kept as JSON
/// text and returned with the task. `nil` where the object had none.
public struct TaskPlatformFields: Sendable, Hashable {
    /// The `meta` JSON object.
    public var meta: String?
    /// The `predictions` JSON list.
    public var predictions: String?
    /// The `annotations` JSON list, as imported.
    public var annotations: String?

    /// No fields: a task whose object was its data.
    public static let none = TaskPlatformFields()

    /// Creates the fields.
    public init(meta: String? = nil, predictions: String? = nil, annotations: String? = nil) {
        self.meta = meta
        self.predictions = predictions
        self.annotations = annotations
    }
}
