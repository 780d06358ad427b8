import AuditCore
import Foundation
import Yams

/// The OpenAPI 3.1 document of the API (docs/openapi.yaml, kept in this target's resources),
/// as the YAML written and as JSON converted from it, members in the same order. Read once,
/// at first use.
enum OpenAPIDocument {
    /// The document's YAML and JSON bytes, or why they could not be read.
    static let loaded: Result<(yaml: [UInt8], json: [UInt8]), OpenAPIDocumentError> = load()

    private static func load() -> Result<(yaml: [UInt8], json: [UInt8]), OpenAPIDocumentError> {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let data = try? Data(contentsOf: url) else {
            return .failure(OpenAPIDocumentError(description: "the resource openapi.yaml is not next to the executable"))
        }
        let text = String(decoding: data, as: UTF8.self)
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return .failure(OpenAPIDocumentError(description: "openapi.yaml is empty"))
            }
            var writer = JSONWriter(capacity: data.count)
            writer.write(try json(node))
            return .success((Array(data), writer.bytes))
        } catch {
            return .failure(OpenAPIDocumentError(description: "openapi.yaml does not convert to JSON: \(error)"))
        }
    }

    /// A YAML node as JSON: mappings keep their order; scalars become what their resolved tag says.
    static func json(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return .bool(node.bool ?? false)
            case Tag.Name.int.rawValue:
                guard let value = node.int else { throw OpenAPIDocumentError(description: "\(scalar.string) is not an integer") }
                return .number(String(value))
            case Tag.Name.float.rawValue:
                guard let value = node.float, value.isFinite else { throw OpenAPIDocumentError(description: "\(scalar.string) is no JSON number") }
                return .number(String(value))
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var members: [JSONObject.Member] = []
            for (key, value) in mapping {
                guard let name = key.string else { throw OpenAPIDocumentError(description: "a mapping key is not a string") }
                members.append(JSONObject.Member(key: name, value: try json(value)))
            }
            return .object(JSONObject(members))
        case .sequence(let sequence):
            return .array(try sequence.map(json))
        case .alias:
            throw OpenAPIDocumentError(description: "aliases are not used in the document")
        }
    }
}

/// The OpenAPI document could not be read or converted.
struct OpenAPIDocumentError: Error, CustomStringConvertible {
    let description: String
}
