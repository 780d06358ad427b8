import AuditCore
import AuditIngest
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /api/v1/audit/events` and `POST /api/v1/audit/events/batch` (Kubernaut's write API;
/// the single-event one also in DS V5.8's header form, ``EventHeaderForm``).
struct EventWriteRoutes {
    let writer: BatchWriter
    let validator: EventValidator
    let configuration: AuditServerConfiguration
    let metrics: AuditMetrics
    /// Per-principal limit of write requests, when configured.
    let rateLimiter: RateLimiter?

    init(writer: BatchWriter, validator: EventValidator, configuration: AuditServerConfiguration, metrics: AuditMetrics) {
        self.writer = writer
        self.metrics = metrics
        self.validator = validator
        self.configuration = configuration
        self.rateLimiter = configuration.writeRateLimit.map(RateLimiter.init(configuration:))
    }

    /// Refuses the request, before its body is read, when its principal is over its rate.
    func checkRate(_ context: AuditRequestContext) throws(AuditError) {
        guard let rateLimiter, let wait = rateLimiter.take(for: context.principal.name) else { return }
        throw rateLimiter.refusal(after: wait)
    }

    /// Every event records its writer in `written_by`: the principal's name, never anything the
    /// request said. A person's writes are also recorded under the person, as Kubernaut does:
    /// `actor_type` `user` and `actor_id` the principal's name, whatever the request said
    /// (``AccessConfiguration/attributesHumanWrites``). Services' events keep their actor.
    func attributed(_ event: AuditEvent, to principal: Principal) -> AuditEvent {
        var event = event
        event.writtenBy = principal.name
        guard principal.kind == .human, configuration.access.attributesHumanWrites else { return event }
        event.actorType = "user"
        event.actorID = principal.name
        return event
    }

    /// Applies the event types' schemas (``AuditServerConfiguration/eventSchemas``): an event
    /// of a type in `enforce` that breaks its schema is refused (`400`, each breach named, the
    /// event's index in a batch given); in `warn` the breach is counted and the event goes on.
    ///
    /// `eventData` is each event's `event_data` as the request sent it (already parsed: not
    /// parsed again), in the order of `events`.
    func checkSchemas(_ events: [AuditEvent], eventData: [JSONValue?], batch: Bool = false) throws(AuditError) {
        for index in events.indices where index < eventData.count {  // in place: `for event in` would copy every event
            guard let data = eventData[index],
                let (mode, problems) = configuration.eventSchemas.check(eventType: events[index].eventType, data: data)
            else { continue }
            metrics.schemaViolation(eventType: events[index].eventType, mode: mode)
            guard mode == .enforce else { continue }
            let error = AuditError.validation(problems)
            throw batch ? error.inBatch(at: index) : error
        }
    }

    /// Reads a record of one of Kubernaut's own write endpoints (the Kubernetes executor's, the
    /// notification controller's), makes it the event `makeEvent` says, checks it as any event
    /// (the write rules, its type's schema) and attributes it to the caller. Problems are named
    /// as the record's members (`renaming`).
    /// - Returns: the event, and the body's size in bytes.
    func recordEvent(
        _ request: Request, context: AuditRequestContext, makeEvent: (JSONValue, AuditTimestamp) throws(AuditError) -> JSONValue,
        renaming: (AuditError) -> AuditError
    ) async throws -> (event: AuditEvent, bodyBytes: Int) {
        try checkRate(context)
        let body = try await RequestJSON.read(request, limit: configuration.maximumBodyBytes)
        let now = configuration.clock()
        do throws(AuditError) {
            let validated = try validator.event(from: try makeEvent(body.value, now), now: now)
            try checkSchemas([validated], eventData: [body.value])
            return (attributed(validated, to: context.principal), body.bytes)
        } catch {
            throw renaming(error)
        }
    }

    /// The member `name` of `value` when it is an object.
    static func member(_ name: String, of value: JSONValue) -> JSONValue? {
        if case .object(let object) = value { object[name] } else { nil }
    }

    func register(on audit: RouteRegistry.Group) {
        audit.post("events", scope: .eventsWrite, metric: .write(.single)) { request, context in try await createEvent(request, context: context) }
        audit.post("events/batch", scope: .eventsWrite, metric: .write(.batch)) { request, context in try await createBatch(request, context: context)
        }
    }

    func createEvent(_ request: Request, context: AuditRequestContext) async throws -> Response {
        try checkRate(context)
        let body = try await RequestJSON.read(request, limit: configuration.maximumBodyBytes)
        let now = configuration.clock()
        let validated: AuditEvent
        if EventHeaderForm.applies(to: request.headers) {
            do throws(AuditError) {
                validated = try validator.event(from: EventHeaderForm.event(headers: request.headers, eventData: body.value, now: now), now: now)
            } catch {
                throw EventHeaderForm.renamingFields(error, headers: request.headers)
            }
        } else {
            validated = try validator.event(from: body.value, now: now)
        }
        let sentData = EventHeaderForm.applies(to: request.headers) ? body.value : Self.member("event_data", of: body.value)
        try checkSchemas([validated], eventData: [sentData])
        let event = attributed(validated, to: context.principal)
        let batch = EventBatch(events: [event])
        context.notes.carriesWorkflowEvents = AuditMetrics.workflowCategories.contains(event.category)
        let outcome = try await writer.submit(batch, requestID: context.requestID, bodyBytes: body.bytes, logger: context.logger)
        metrics.acknowledged(batch.events, operation: .single)
        switch outcome {
        case .stored(let receipt):
            return .json(status: .created, EventJSON.created(event, isNew: receipt.insertedCount > 0))
        case .spooled:
            return .json(status: .accepted, EventJSON.accepted(event))
        }
    }

    func createBatch(_ request: Request, context: AuditRequestContext) async throws -> Response {
        try checkRate(context)
        let body = try await RequestJSON.read(request, limit: configuration.maximumBodyBytes)
        let validated = try validator.batch(from: body.value, now: configuration.clock())
        if case .array(let elements) = body.value {
            try checkSchemas(validated, eventData: elements.map { Self.member("event_data", of: $0) }, batch: true)
        }
        let events = validated.map { attributed($0, to: context.principal) }
        let batch = EventBatch(events: events)
        context.notes.carriesWorkflowEvents = events.contains { AuditMetrics.workflowCategories.contains($0.category) }
        let outcome: BatchWriter.WriteOutcome
        do throws(AuditError) {
            outcome = try await writer.submit(batch, requestID: context.requestID, bodyBytes: body.bytes, logger: context.logger)
        } catch {
            // A batch request names the refused event's position.
            throw error.shownInBatch
        }
        metrics.acknowledged(events, operation: .batch)
        switch outcome {
        case .stored(let receipt):
            context.logger.debug(
                "batch stored",
                metadata: ["audit.batch.size": "\(events.count)", "audit.batch.inserted": "\(receipt.insertedCount)"]
            )
            return .json(status: .created, EventJSON.batchCreated(receipt))
        case .spooled(let ids):
            return .json(status: .accepted, EventJSON.batchAccepted(ids))
        }
    }
}

/// Reading a JSON request body: sent as `application/json`, within the size limit, valid
/// JSON with no member name twice in one object.
enum RequestJSON {
    /// The body parsed, and its size in bytes.
    /// - Throws: ``AuditError`` (`415`, `413`, `400`), or ``ClientDisconnected`` when the body
    ///   ended before it was complete.
    static func read(_ request: Request, limit: Int) async throws -> (value: JSONValue, bytes: Int) {
        try checkContentType(request)
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > limit {
            throw AuditError(.payloadTooLarge, detail: "the request body is \(declared) bytes; the limit is \(limit)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw AuditError(.payloadTooLarge, detail: "the request body is larger than the limit of \(limit) bytes")
        } catch {
            // The connection failed or closed under the body: the client is gone.
            throw ClientDisconnected()
        }
        if let declared, buffer.readableBytes < declared { throw ClientDisconnected() }
        let parsed = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(JSONSyntaxError) -> JSONValue in try JSONParser.parse(bytes) }
        }
        switch parsed {
        case .success(let value):
            return (value, buffer.readableBytes)
        case .failure(let error):
            throw problem(for: error)
        }
    }

    /// `415` unless the body is declared JSON: `application/json` (any parameters, such as
    /// `charset=utf-8`) or a `+json` type. Kubernaut's clients send `application/json`; a browser
    /// page cannot send it to another origin without asking first, so this also keeps forged
    /// "simple" form posts out.
    static func checkContentType(_ request: Request) throws(AuditError) {
        let declared = request.headers[.contentType] ?? ""
        let mediaType = declared.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let type = String(mediaType.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()).lowercased()
        guard type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json")) else {
            let shown = declared.isEmpty ? "no Content-Type" : "Content-Type \(declared.prefix(100))"
            throw AuditError(.unsupportedMediaType, detail: "the body must be JSON sent with Content-Type: application/json (got \(shown))")
        }
    }

    /// A body that is not valid JSON: `400`, naming where. A member name sent twice in one
    /// object is a validation error naming its path (`event at index 2: event_data.labels.app`),
    /// since two readers of such an event could disagree on what it said.
    static func problem(for error: JSONSyntaxError) -> AuditError {
        var path = error.path[...]
        var prefix = ""
        if case .index(let index)? = path.first {
            prefix = "event at index \(index): "
            path = path.dropFirst()
        }
        if error.isDuplicateKey {
            let field = JSONPathComponent.render(path)
            return AuditError(
                .validation,
                detail: prefix + "\(field): appears more than once in its object; send each member once",
                fieldErrors: [.init(field: field, message: "appears more than once in its object")]
            )
        }
        let place = path.isEmpty ? "" : " in \(JSONPathComponent.render(path))"
        return AuditError(
            .malformedRequest, detail: "the request body is not valid JSON: \(prefix)\(error.reason)\(place) (byte \(error.offset))")
    }
}

extension Response {
    /// An `application/json` response with a body already encoded.
    static func json(status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
