import CLibWebSockets
import Foundation
import Logging
import Synchronization

/// lws logs through a C function pointer; this routes its lines into swift-log.
private let lwsLogger = Mutex<Logger?>(nil)

private func emitLWSLine(_ level: Int32, _ line: UnsafePointer<CChar>?) {
    guard let line else { return }
    let text = String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines)
    lwsLogger.withLock { logger in
        if level & LLL_ERR != 0 {
            logger?.error("\(text)", metadata: ["source": "lws"])
        } else {
            logger?.notice("\(text)", metadata: ["source": "lws"])
        }
    }
}

/// Sends lws's errors and warnings to `logger`.
func installLogger(_ logger: Logger) {
    lwsLogger.withLock { $0 = logger }
    lws_set_log_level(LLL_ERR | LLL_WARN, emitLWSLine)
}
