import AsyncHTTPClient
import AuditCore
import AuditIngest
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AuditLedgerClient {
    /// What one request's answer means for the events it carried.
    enum Answer {
        /// The server has them (`201`, or `202`: it spooled them).
        case delivered
        /// Try the same events again after a while (`Retry-After`, when the server said).
        case retry(kind: String, retryAfter: Duration?)
        /// The server refused an event of the batch: the one at `index` when it said which.
        case refused(index: Int?, status: Int, detail: String, fields: [String])
        /// Too large as a whole: send it in halves.
        case tooLarge(status: Int, detail: String)
    }

    /// Sends batches until the queue is empty and (without a deadline) forever after, waiting
    /// for events; with a deadline, until it passes or nothing is pending.
    func sendLoop(until deadline: ContinuousClock.Instant?) async {
        var backoff = Backoff(initial: configuration.initialBackoff, maximum: configuration.maximumBackoff)
        var waitingSince: ContinuousClock.Instant?
        while !Task.isCancelled {
            if let deadline, ContinuousClock.now >= deadline { return }
            // A partial batch waits for more, up to the flush interval from when it was first
            // seen — unless a flush was asked for or the client is shutting down; it is read
            // only once it is full or its time is up.
            let pending = queue.pending
            if pending > 0, pending < configuration.batchSize, deadline == nil, flushing.load(ordering: .relaxed) == 0 {
                let since = waitingSince ?? ContinuousClock.now
                waitingSince = since
                if ContinuousClock.now < since + configuration.flushInterval {
                    await waitForWork(until: since + configuration.flushInterval)
                    continue
                }
            }
            let batch: ClientQueueBatch
            do throws(AuditError) {
                // A backlog goes out in the largest batches the server takes.
                batch = try await queue.peek(maximum: pending > configuration.batchSize ? configuration.maximumBatchSize : configuration.batchSize)
            } catch {
                logger.error("the client's spool cannot be read; retrying", metadata: ["error": "\(AuditError.logDescription(of: error))"])
                await pause(backoff.next(), until: deadline)
                continue
            }
            metrics.pending(queue.pending)
            waitingSince = nil
            if batch.events.isEmpty {
                if deadline != nil { return }
                await waitForWork(until: nil)
                continue
            }
            let events = setAsideIDs.withLock { ids in ids.isEmpty ? batch.events : batch.events.filter { !ids.contains($0.id) } }
            switch await deliver(events) {
            case nil:
                backoff.reset()
                do throws(AuditError) {
                    try await queue.remove(batch)
                } catch {
                    logger.error(
                        "the client's spool could not record a delivered batch; it may be sent again (the server stores it once)",
                        metadata: ["error": "\(AuditError.logDescription(of: error))"])
                }
                metrics.pending(queue.pending)
            case let retryAfter?:
                await pause(backoff.next(retryAfter: retryAfter), until: deadline)
            }
        }
    }

    /// Delivers `events` (setting aside those the server refuses, and sending the rest again);
    /// `nil` once every one is delivered or set aside, else how long the server asked to wait
    /// (zero when it did not say) before they are all tried again.
    func deliver(_ events: [AuditEvent]) async -> Duration?? {
        guard !events.isEmpty else { return nil }
        switch await send(events) {
        case .delivered:
            metrics.sent(events.count)
            return nil
        case .retry(let kind, let retryAfter):
            metrics.failure(kind)
            return .some(retryAfter)
        case .refused(let index, let status, let detail, let fields):
            metrics.failure("refused")
            if let index, events.indices.contains(index) {
                setAside(events[index], status: status, detail: detail, fields: fields)
                var rest = events
                rest.remove(at: index)
                return await deliver(rest)
            }
            guard events.count > 1 else {
                setAside(events[0], status: status, detail: detail, fields: fields)
                return nil
            }
            // The server did not say which: each on its own finds out.
            for event in events {
                if let retry = await deliver([event]) { return retry }
            }
            return nil
        case .tooLarge(let status, let detail):
            metrics.failure("too_large")
            guard events.count > 1 else {
                setAside(events[0], status: status, detail: detail, fields: [])
                return nil
            }
            let half = events.count / 2
            if let retry = await deliver(Array(events[..<half])) { return retry }
            return await deliver(Array(events[half...]))
        }
    }

    /// One `POST /api/v1/audit/events/batch` of `events`.
    func send(_ events: [AuditEvent]) async -> Answer {
        var writer = JSONWriter(capacity: events.count * 1200)
        writer.write(.array(events.map(\.requestJSON)))
        var request = HTTPClientRequest(url: configuration.baseURL.trimmingSuffix("/") + "/api/v1/audit/events/batch")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if case .bearer(let token) = configuration.authentication {
            request.headers.add(name: "Authorization", value: "Bearer \(token())")
        }
        request.body = .bytes(ByteBuffer(bytes: writer.bytes))
        let started = ContinuousClock.now
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .nanoseconds(configuration.requestTimeout.nanoseconds))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            metrics.request(status: "network", seconds: (ContinuousClock.now - started).seconds)
            logger.warning(
                "the audit server could not be reached; retrying", metadata: ["error": "\(String(describing: type(of: error)))"])
            return .retry(kind: "network", retryAfter: nil)
        }
        let status = Int(response.status.code)
        metrics.request(status: String(status), seconds: (ContinuousClock.now - started).seconds)
        let retryAfter = response.headers.first(name: "Retry-After").flatMap(Int64.init).map { Duration.seconds($0) }
        let problem = Self.problem(body)
        switch status {
        case 200...299:
            return .delivered
        case 400, 409, 422:
            return .refused(index: problem.index, status: status, detail: problem.detail, fields: problem.fields)
        case 413:
            return .tooLarge(status: status, detail: problem.detail)
        case 401, 403:
            logger.error(
                "the audit server refuses this client's credentials; events wait until it accepts them",
                metadata: ["http.status": "\(status)", "detail": "\(problem.detail)"])
            return .retry(kind: "unauthorized", retryAfter: retryAfter)
        case 429:
            return .retry(kind: "rate_limited", retryAfter: retryAfter)
        case 500...599:
            return .retry(kind: "server_error", retryAfter: retryAfter)
        default:
            logger.error(
                "the audit server gave an unexpected answer; retrying", metadata: ["http.status": "\(status)", "detail": "\(problem.detail)"])
            return .retry(kind: "unexpected", retryAfter: retryAfter)
        }
    }

    /// The members of an RFC 7807 problem the client uses: `event_index` (which event of a
    /// batch), `detail`, the names in `field_errors`.
    static func problem(_ body: ByteBuffer) -> (index: Int?, detail: String, fields: [String]) {
        guard case .object(let object)? = try? JSONParser.parse(Array(body.readableBytesView)) else { return (nil, "", []) }
        var index: Int?
        if case .number(let text)? = object["event_index"] { index = Int(text) }
        var detail = ""
        if case .string(let text)? = object["detail"] { detail = text }
        var fields: [String] = []
        if case .object(let errors)? = object["field_errors"] { fields = errors.members.map(\.key) }
        return (index, detail, fields)
    }

    /// Gives up on `event`: remembered for this process, reported, counted, logged, and kept in
    /// the spool's `set-aside.ndjson` when there is a spool.
    func setAside(_ event: AuditEvent, status: Int, detail: String, fields: [String]) {
        setAsideIDs.withLock { _ = $0.insert(event.id) }
        metrics.setAside("refused")
        logger.error(
            "the audit server refused an event; it is set aside",
            metadata: ["audit.event_id": "\(event.id)", "http.status": "\(status)", "detail": "\(detail)", "fields": "\(fields)"])
        let record = SetAsideEvent(event: event.requestJSON, reason: .refused, status: status, detail: detail, fields: fields)
        if let directory = configuration.spoolDirectory {
            SetAsideFile(directory: directory).append(record, logger: logger)
        }
        configuration.onSetAside(record)
    }

    /// Waits until events arrive, a flush is asked for, or `deadline` passes.
    func waitForWork(until deadline: ContinuousClock.Instant?) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.queue.waitForEvents() }
            group.addTask { await self.flushRequested.wait() }
            if let deadline {
                group.addTask { try? await Task.sleep(until: deadline) }
            }
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// Sleeps for `wait`, but not past `deadline`.
    func pause(_ wait: Duration, until deadline: ContinuousClock.Instant?) async {
        var end = ContinuousClock.now + wait
        if let deadline, deadline < end { end = deadline }
        try? await Task.sleep(until: end)
    }
}

extension String {
    /// The string without `suffix` at its end (once).
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
