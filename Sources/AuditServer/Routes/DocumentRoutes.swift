import AuditCore
import Hummingbird
import NIOCore

/// `GET /api/v1/openapi.yaml` and `GET /api/v1/openapi.json`: the OpenAPI 3.1 document the
/// server was built with (``OpenAPIDocument``), open to anyone, as Kubernaut's services and
/// API tooling fetch it.
struct DocumentRoutes {
    func register(on api: RouteRegistry.Group) {
        api.get("openapi.yaml", scope: nil) { _, _ in try document(\.yaml, contentType: "application/yaml") }
        api.get("openapi.json", scope: nil) { _, _ in try document(\.json, contentType: "application/json") }
    }

    private func document(_ part: KeyPath<(yaml: [UInt8], json: [UInt8]), [UInt8]>, contentType: String) throws(AuditError) -> Response {
        switch OpenAPIDocument.loaded {
        case .success(let document):
            return Response(
                status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(bytes: document[keyPath: part])))
        case .failure(let error):
            throw AuditError(.internalError, detail: "an internal error occurred; quote the request_id when reporting it", underlying: error)
        }
    }
}
