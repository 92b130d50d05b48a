import Foundation
import Scheduling
import Testing

/// What the Python `icalendar` package reads in an invitation.
struct ParsedInvitation: Decodable, Equatable {
    struct Address: Decodable, Equatable {
        var email: String
        var cn: String?
        var params: [String: String]
    }
    struct Alarm: Decodable, Equatable {
        var action: String
        var triggerSeconds: Double
        var description: String
    }
    var icalendar: String
    var errors: [String]
    var events: Int
    var method: String
    var version: String
    var prodid: String
    var uid: String
    var sequence: Int
    var dtstamp: String
    var dtstart: String
    var dtend: String
    var organizer: Address
    var attendee: Address
    var summary: String
    var description: String
    var location: String?
    var url: String?
    var status: String
    var alarms: [Alarm]
}

/// Reads `ics` with Python's `icalendar` (Tests/integration/requirements.txt) and returns what it
/// read. A missing python3 or package is a failure that names the requirement file: CI installs it.
func parseWithPythonICalendar(_ ics: String) throws -> ParsedInvitation {
    let script = #"""
        import json, sys
        try:
            import icalendar
        except ImportError as error:
            print(f"cannot import icalendar ({error})", file=sys.stderr)
            sys.exit(3)
        from datetime import timezone

        cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
        events = cal.walk("VEVENT")
        event = events[0]

        def utc(prop):
            return event.get(prop).dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

        def address(value):
            if isinstance(value, list):
                value = value[0]
            cn = value.params.get("CN")
            return {"email": str(value), "cn": None if cn is None else str(cn),
                    "params": {k: str(v) for k, v in value.params.items()}}

        def text(prop):
            value = event.get(prop)
            return None if value is None else str(value)

        errors = [str(e) for e in getattr(cal, "errors", [])]
        for component in cal.walk():
            errors += [str(e) for e in getattr(component, "errors", [])]
        print(json.dumps({
            "icalendar": icalendar.__version__, "errors": errors, "events": len(events),
            "method": str(cal.get("method")), "version": str(cal.get("version")), "prodid": str(cal.get("prodid")),
            "uid": text("uid"), "sequence": int(event.get("sequence")),
            "dtstamp": utc("dtstamp"), "dtstart": utc("dtstart"), "dtend": utc("dtend"),
            "organizer": address(event.get("organizer")), "attendee": address(event.get("attendee")),
            "summary": text("summary"), "description": text("description"), "location": text("location"),
            "url": text("url"), "status": text("status"),
            "alarms": [{"action": str(a.get("action")), "triggerSeconds": a.get("trigger").dt.total_seconds(),
                        "description": str(a.get("description"))} for a in event.walk("VALARM")],
        }, ensure_ascii=False))
        """#
    let requirement = "Tests/integration/requirements.txt (make test-deps, or python3 -m pip install -r Tests/integration/requirements.txt)"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    do {
        try process.run()
    } catch {
        throw RoundTripFailure("cannot run python3 (\(error)); install Python 3 and \(requirement)")
    }
    // Read both pipes while Python writes, so that neither fills up.
    let collected = Collected()
    let group = DispatchGroup()
    for (pipe, isError) in [(output, false), (errors, true)] {
        group.enter()
        DispatchQueue.global().async {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            collected.set(data, isError: isError)
            group.leave()
        }
    }
    input.fileHandleForWriting.write(Data(ics.utf8))
    try? input.fileHandleForWriting.close()
    group.wait()
    process.waitUntilExit()
    let (stdout, stderr) = collected.get()
    let message = String(decoding: stderr, as: UTF8.self)
    switch process.terminationStatus {
    case 0: break
    case 127: throw RoundTripFailure("python3 is not installed; install Python 3 and \(requirement)")
    case 3: throw RoundTripFailure("\(message.trimmingCharacters(in: .whitespacesAndNewlines)): install \(requirement)")
    default:
        throw RoundTripFailure(
            "icalendar could not read the invitation (exit \(process.terminationStatus)): \(message)")
    }
    return try JSONDecoder().decode(ParsedInvitation.self, from: stdout)
}

struct RoundTripFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The two pipes' contents, written from two threads.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    func set(_ data: Data, isError: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if isError { err = data } else { out = data }
    }
    func get() -> (Data, Data) {
        lock.lock()
        defer { lock.unlock() }
        return (out, err)
    }
}

@Suite struct ICalendarRoundTripTests {
    @Test func requestReadsBackInPythonICalendar() throws {
        let invitation = sampleInvitation(method: .request, sequence: 0)
        let parsed = try parseWithPythonICalendar(invitation.rendered())
        #expect(parsed.icalendar == "7.3.2")
        #expect(parsed.errors == [])
        #expect(parsed.events == 1)
        #expect(parsed.method == "REQUEST")
        #expect(parsed.version == "2.0")
        #expect(parsed.prodid == "-//Quang Ninh Investment Promotion Agency//dialogue-server//EN")
        #expect(parsed.uid == "ses_abc-inv_def@ipa.example.vn")
        #expect(parsed.sequence == 0)
        #expect(parsed.dtstamp == "2027-01-10T08:30:15Z")
        #expect(parsed.dtstart == "2027-01-15T02:00:00Z")
        #expect(parsed.dtend == "2027-01-15T03:00:00Z")
        #expect(parsed.organizer.email == "mailto:ipa@example.vn")
        #expect(parsed.organizer.cn == "Ban Xúc tiến và Hỗ trợ đầu tư Quảng Ninh")
        #expect(parsed.attendee.email == "mailto:ken.tanaka@example.jp")
        #expect(parsed.attendee.cn == "Tanaka 'Ken', Sato Corp")
        #expect(parsed.attendee.params["ROLE"] == "REQ-PARTICIPANT")
        #expect(parsed.attendee.params["PARTSTAT"] == "NEEDS-ACTION")
        #expect(parsed.attendee.params["RSVP"] == "TRUE")
        #expect(parsed.summary == invitation.summary)
        #expect(parsed.description == invitation.description)
        #expect(parsed.location == invitation.location)
        #expect(parsed.url == invitation.url)
        #expect(parsed.status == "CONFIRMED")
        #expect(parsed.alarms == [.init(action: "DISPLAY", triggerSeconds: -900, description: invitation.summary)])
    }

    @Test func cancelReadsBackInPythonICalendar() throws {
        let parsed = try parseWithPythonICalendar(sampleInvitation(method: .cancel, sequence: 3).rendered())
        #expect(parsed.errors == [])
        #expect(parsed.method == "CANCEL")
        #expect(parsed.status == "CANCELLED")
        #expect(parsed.sequence == 3)
        #expect(parsed.uid == "ses_abc-inv_def@ipa.example.vn")
        #expect(parsed.dtstart == "2027-01-15T02:00:00Z")
        #expect(parsed.attendee.email == "mailto:ken.tanaka@example.jp")
        #expect(parsed.alarms == [])
    }

    @Test func foldedVietnameseSummaryReadsBack() throws {
        var summary = ""
        while summary.count < 200 { summary += "Hội nghị xúc tiến đầu tư Quảng Ninh; Vân Đồn, Hạ Long \\ Cẩm Phả — " }
        summary = String(summary.prefix(200))
        let invitation = sampleInvitation(summary: summary)
        let parsed = try parseWithPythonICalendar(invitation.rendered())
        #expect(parsed.summary == summary)
        #expect(parsed.errors == [])
    }
}
