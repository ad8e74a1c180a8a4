import AutoconvCertificates
import AutoconvCore
import AutoconvEngines

extension ResultFields {
    /// `devices` when `engine` is a `DeviceGroup` (nothing for one device, whose `device` says
    /// it all): each member's description, the work it did (ranks searched and children
    /// classified) and its share of the whole, rounded to hundredths in integers.
    static func devices(_ engine: Engine) -> [(String, JSON)] {
        guard let group = engine as? DeviceGroup else { return [] }
        var work = group.work, total = work.reduce(UInt128(0)) { $0 &+ $1 }
        // Shares only: scale down far below 2^128 / 200 so that 200·work cannot overflow
        // (the total cannot wrap either: it is every device's work, far below 2^120).
        while total > UInt128(1) << 100 {
            work = work.map { $0 >> 8 }
            total >>= 8
        }
        return [("devices", .array(zip(group.members, group.work).enumerated().map { m, pair in
            let hundredths = total == 0 ? 0 : (200 * work[m] + total) / (2 * total)
            let share = "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
            return .object([("name", .string(pair.0.deviceDescription)), ("share", .string(share)), ("work", .count(pair.1))])
        }))]
    }
}
