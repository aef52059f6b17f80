extension SQLiteMigration {
    /// The fields a task in the annotation platform's task format brings besides `data`: its
    /// `meta` object, `predictions` list and `annotations` list, kept as JSON text (NULL for a
    /// task whose object was its data).
    static let migration0003 = SQLiteMigration(
        version: 3,
        name: "task platform fields",
        statements: [
            "ALTER TABLE tasks ADD COLUMN meta TEXT",
            "ALTER TABLE tasks ADD COLUMN predictions TEXT",
            "ALTER TABLE tasks ADD COLUMN imported_annotations TEXT",
        ]
    )
}
