extension UnsafeMutablePointer {
    /// A new buffer holding `values` (room for one element at least), for the searches' inner
    /// loops, which read raw buffers to pay neither bounds nor exclusivity checks; the owner frees
    /// it with `deallocate`.
    static func copying(_ values: [Pointee]) -> UnsafeMutablePointer<Pointee> {
        let p = UnsafeMutablePointer<Pointee>.allocate(capacity: Swift.max(values.count, 1))
        p.initialize(from: values, count: values.count)
        return p
    }
}
