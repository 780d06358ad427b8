import Foundation
import Testing

@testable import AuditCore

/// The schema subset, the registry's modes and the built-in schemas.
@Suite struct EventSchemaTests {
    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    /// A DD-WORKFLOW-014 search event's event_data, whole.
    func search() throws -> JSONValue {
        try json(
            #"""
            {"query": {"text": "pod crash looping", "filters": {"environment": "prod"}, "top_k": 3},
             "results": {"total_found": 7, "returned": 1, "workflows": [
               {"workflow_id": "restart-pod-v1", "version": "1.2.0", "rank": 1,
                "scoring": {"confidence": 0.92, "base_similarity": 0.87, "label_boost": 0.05, "label_penalty": 0,
                            "boost_breakdown": {"environment": 0.05}, "penalty_breakdown": {}}}]}}
            """#)
    }

    func without(_ path: [String], in value: JSONValue) -> JSONValue {
        guard case .object(var object) = value, let first = path.first else { return value }
        if path.count == 1 {
            object[first] = nil
        } else if let inner = object[first] {
            if case .array(var elements) = inner, path.count > 1, let index = Int(path[1]) {
                elements[index] = without(Array(path.dropFirst(2)), in: elements[index])
                object[first] = .array(elements)
            } else {
                object[first] = without(Array(path.dropFirst()), in: inner)
            }
        }
        return .object(object)
    }

    @Test("DD-WORKFLOW-014: a search without its query or a workflow's scoring is named by path; the whole one passes")
    func workflowSearch() throws {
        let schema = try #require(EventSchemaRegistry.builtIn.entries["workflow.catalog.search_completed"]?.schema)
        #expect(schema.problems(in: try search()).isEmpty)
        let noQuery = schema.problems(in: without(["query"], in: try search()))
        #expect(noQuery.map(\.field) == ["event_data.query"] && noQuery.first?.message == "missing required field")
        let noScoring = schema.problems(in: without(["results", "workflows", "0", "scoring"], in: try search()))
        #expect(noScoring.map(\.field) == ["event_data.results.workflows[0].scoring"])
        #expect(noScoring.first?.message == "missing required field")
        let noBoost = schema.problems(in: without(["results", "workflows", "0", "scoring", "boost_breakdown"], in: try search()))
        #expect(noBoost.map(\.field) == ["event_data.results.workflows[0].scoring.boost_breakdown"])
    }

    @Test("Every rule of the subset names the value it refuses")
    func rules() throws {
        let schema = try EventSchema(
            json: try json(
                #"""
                {"type": "object", "required": ["a"], "additionalProperties": false,
                 "properties": {"a": {"type": "integer", "minimum": 1, "maximum": 5}, "b": {"type": ["string", "null"], "minLength": 2, "maxLength": 3},
                                "c": {"enum": ["x", 1]}, "d": {"type": "array", "items": {"type": "boolean"}}}}
                """#))
        func fields(_ text: String) throws -> [String] { schema.problems(in: try json(text)).map { "\($0.field): \($0.message)" } }
        #expect(try fields(#"{"a": 3, "b": "ab", "c": 1, "d": [true]}"#).isEmpty)
        #expect(try fields(#"{"a": 3.0, "b": null}"#).isEmpty, "3.0 is an integer; null counts as absent")
        #expect(try fields(#"{"a": 0}"#) == ["event_data.a: must be at least 1"])
        #expect(try fields(#"{"a": 9}"#) == ["event_data.a: must be at most 5"])
        #expect(try fields(#"{"a": 1.5}"#) == ["event_data.a: must be integer, not number"])
        #expect(try fields(#"{"a": "1"}"#) == ["event_data.a: must be integer, not string"])
        #expect(try fields(#"{"a": 1, "b": "x"}"#) == ["event_data.b: must be at least 2 characters"])
        #expect(try fields(#"{"a": 1, "b": "éééé"}"#) == ["event_data.b: must be at most 3 characters"])
        #expect(try fields(#"{"a": 1, "c": "y"}"#) == [#"event_data.c: must be one of "x", 1"#])
        #expect(try fields(#"{"a": 1, "d": [true, 1]}"#) == ["event_data.d[1]: must be boolean, not number"])
        #expect(try fields(#"{"a": 1, "e": 1}"#) == ["event_data.e: is not a member this event type has"])
        #expect(try fields(#"{}"#) == ["event_data.a: missing required field"])
        #expect(try fields(#"[]"#) == ["event_data: must be object, not array"])
    }

    @Test("A schema with a keyword outside the subset, or a malformed one, is refused naming it")
    func refusedSchemas() throws {
        for (text, field) in [
            (#"{"type": "string", "pattern": "^a"}"#, "schema.pattern"),
            (#"{"properties": {"x": {"format": "uuid"}}}"#, "schema.properties.x.format"),
            (#"{"type": "text"}"#, "schema.type"), (#"{"required": "a"}"#, "schema.required"), (#"{"minimum": "1"}"#, "schema.minimum"),
            (#"{"additionalProperties": {"type": "string"}}"#, "schema.additionalProperties"), (#"{"maxLength": -1}"#, "schema.maxLength"),
            (#"[]"#, "schema"),
        ] {
            let value = try json(text)
            do throws(AuditError) {
                _ = try EventSchema(json: value)
                Issue.record("\(text) must be refused")
            } catch {
                #expect(error.fieldErrors.map(\.field) == [field], "\(text)")
            }
        }
    }

    @Test("Modes: built-ins warn; a file adds or replaces a type; modes set per type or for all; unknown types refused")
    func registry() throws {
        var registry = EventSchemaRegistry.builtIn
        #expect(registry.entries.values.allSatisfy { $0.mode == .warn && $0.source == "built-in" })
        let broken = without(["query"], in: try search())
        #expect(registry.check(eventType: "workflow.catalog.search_completed", data: broken)?.mode == .warn)
        #expect(registry.check(eventType: "workflow.catalog.search_completed", data: try search()) == nil)
        #expect(registry.check(eventType: "some.other.type", data: broken) == nil, "no schema: not checked")
        registry = try registry.setting(.enforce, for: "workflow.catalog.search_completed")
        #expect(registry.check(eventType: "workflow.catalog.search_completed", data: broken)?.mode == .enforce)
        registry = try registry.setting(.off, for: "*")
        #expect(registry.check(eventType: "workflow.catalog.search_completed", data: broken) == nil)
        #expect(throws: AuditError.self) { try registry.setting(.enforce, for: "no.such.type") }
        registry = try registry.adding(
            file: try json(#"{"event_type": "custom.thing.done", "mode": "enforce", "schema": {"required": ["id"]}}"#), source: "custom.json")
        #expect(registry.check(eventType: "custom.thing.done", data: try json("{}"))?.problems.map(\.field) == ["event_data.id"])
        #expect(registry.entries["custom.thing.done"]?.source == "custom.json")
        for bad in [#"{"mode": "warn", "schema": {}}"#, #"{"event_type": "x", "mode": "loud", "schema": {}}"#, #"{"event_type": "x"}"#] {
            #expect(throws: AuditError.self) { try registry.adding(file: try json(bad), source: "bad.json") }
        }
    }

    @Test("docs/event-types.md is what the built-in registry documents")
    func documentation() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("docs/event-types.md"), encoding: .utf8)
        #expect(committed == EventSchemaRegistry.builtIn.markdown, "regenerate with: auditledger schemas doc > docs/event-types.md")
    }
}
