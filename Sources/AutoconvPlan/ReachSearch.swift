/// How `autoconv reach` finds the largest target that fits a budget: targets are k/1000, and
/// `fits(k)` (a plan at that target) is taken to be monotone — a larger target never fits when a
/// smaller one does not. Planning a target far above the reachable one is the slowest probe, so
/// the search tries `low`, then 1, then gallops up from 1 in steps of 16, 32, 64, … thousandths,
/// and only then bisects.
public enum ReachSearch {
    /// The k that fitted, in the order they were probed (the last is the largest found); empty
    /// when `low` does not fit. Every k probed lies in [low, high).
    public static func fitting(low: Int, high: Int, fits: (Int) throws -> Bool) rethrows -> [Int] {
        guard try fits(low) else { return [] }
        var found = [low], low = low, high = high
        let one = 1000
        if low < one && one < high {
            if try fits(one) { low = one; found.append(one) } else { high = one }
        }
        if low == one {
            var step = 16
            while low + step < high {
                guard try fits(low + step) else { high = low + step; break }
                low += step
                found.append(low)
                step *= 2
            }
        }
        while high - low > 1 {
            let mid = (low + high) / 2
            if try fits(mid) { low = mid; found.append(mid) } else { high = mid }
        }
        return found
    }
}
