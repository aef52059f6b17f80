import FerryRPC
import NIOCore
import Testing

@testable import FerryTransport

@Suite("Server connection state machine")
struct ServerConnectionStateMachineTests {
    private func ready(maxStreams: Int = 2) -> ServerConnectionStateMachine {
        var machine = ServerConnectionStateMachine(maxConcurrentStreams: maxStreams)
        _ = machine.receive(.settings(FrameSettings()))
        return machine
    }

    private func headers(_ id: UInt32) -> Frame {
        .requestHeaders(streamID: id, path: "a.B/C", timeout: nil, metadata: [:])
    }

    @Test("The first frame must be SETTINGS")
    func settingsFirst() {
        var machine = ServerConnectionStateMachine(maxConcurrentStreams: 2)
        guard case .closeConnection(.protocolError, _) = machine.receive(headers(1)) else {
            Issue.record("expected a protocol error")
            return
        }
    }

    @Test("Streams open with odd, increasing ids; anything else is a protocol error")
    func streamIDs() {
        var machine = ready()
        #expect(machine.receive(headers(1)) == .openStream(streamID: 1))
        guard case .closeConnection(.protocolError, _) = machine.receive(headers(1)) else {
            Issue.record("a reused id must fail the connection")
            return
        }
        var even = ready()
        guard case .closeConnection(.protocolError, _) = even.receive(headers(2)) else {
            Issue.record("an even id must fail the connection")
            return
        }
    }

    @Test("Messages are delivered while open and refused after half-close")
    func halfClose() {
        var machine = ready()
        _ = machine.receive(headers(1))
        #expect(machine.receive(.message(streamID: 1, payload: ByteBuffer())) == .deliverMessage(streamID: 1))
        #expect(machine.receive(.endStream(streamID: 1)) == .finishRequests(streamID: 1))
        guard case .failStream(1, let status) = machine.receive(.message(streamID: 1, payload: ByteBuffer())) else {
            Issue.record("a message after half-close must fail the stream")
            return
        }
        #expect(status.code == .internal)
    }

    @Test("Frames for closed streams are ignored; for never-opened streams they fail the connection")
    func unknownStreams() {
        var machine = ready()
        _ = machine.receive(headers(1))
        _ = machine.streamClosed(1)
        #expect(machine.receive(.message(streamID: 1, payload: ByteBuffer())) == .none)
        #expect(machine.receive(.cancel(streamID: 1, code: .cancelled)) == .none)
        guard case .closeConnection(.protocolError, _) = machine.receive(.endStream(streamID: 9)) else {
            Issue.record("a frame for an unopened stream must fail the connection")
            return
        }
    }

    @Test("Streams past the limit are refused; a flood of them closes the connection")
    func concurrencyLimit() {
        var machine = ready(maxStreams: 2)
        _ = machine.receive(headers(1))
        _ = machine.receive(headers(3))
        guard case .refuseStream(5, let status) = machine.receive(headers(5)) else {
            Issue.record("the third stream must be refused")
            return
        }
        #expect(status.code == .resourceExhausted)
        _ = machine.receive(headers(7))
        _ = machine.receive(headers(9))
        _ = machine.receive(headers(11))
        guard case .closeConnection(.enhanceYourCalm, _) = machine.receive(headers(13)) else {
            Issue.record("persistent refusals must close the connection")
            return
        }
    }

    @Test("An oversized message fails only its stream")
    func oversized() {
        var machine = ready()
        _ = machine.receive(headers(1))
        guard case .failStream(1, let status) = machine.receive(.oversizedMessage(streamID: 1, length: 99)) else {
            Issue.record("expected a stream failure")
            return
        }
        #expect(status.code == .resourceExhausted)
    }

    @Test("Graceful shutdown refuses new streams and closes when the last one ends")
    func gracefulShutdown() {
        var machine = ready()
        _ = machine.receive(headers(1))
        let started = machine.beginGracefulShutdown()
        #expect(started?.lastStreamID == 1)
        #expect(started?.action == ServerConnectionStateMachine.Action.none)
        guard case .refuseStream(3, let status) = machine.receive(headers(3)) else {
            Issue.record("a stream after GOAWAY must be refused")
            return
        }
        #expect(status.code == .unavailable)
        #expect(machine.streamClosed(1) == .closeGracefully)
    }

    @Test("A client cannot send server frames")
    func serverOnlyFrames() {
        var machine = ready()
        guard case .closeConnection(.protocolError, _) = machine.receive(.trailers(streamID: 1, status: .ok, metadata: [:]))
        else {
            Issue.record("expected a protocol error")
            return
        }
    }
}

@Suite("Read gate")
struct ReadGateTests {
    @Test("A read is held while any stream is paused and issued when the last one is released")
    func holdsAndReleases() {
        var gate = ReadGate()
        let first = gate.requestRead()
        gate.pause(1)
        gate.pause(3)
        let whilePaused = gate.requestRead()
        let afterOne = gate.release(1)
        let afterBoth = gate.release(3)
        let afterwards = gate.requestRead()
        #expect(first && !whilePaused && !afterOne && afterBoth && afterwards)
    }

    @Test("Releasing a stream that ended while paused also issues the held read, once")
    func endedStream() {
        var gate = ReadGate()
        gate.pause(5)
        let held = !gate.requestRead()
        let released = gate.release(5)
        let again = gate.release(5)
        #expect(held && released && !again)
    }
}
