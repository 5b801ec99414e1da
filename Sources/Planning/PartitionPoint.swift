extension RandomAccessCollection where Index == Int {
    /// The index of the first element for which `isAfter` holds, in a collection where every
    /// element for which it holds comes after every element for which it does not (a binary
    /// search); `endIndex` when there is none.
    ///
    /// Timelines are sorted by position, and this is how every position is looked up in one.
    @inlinable
    public func partitionPoint(where isAfter: (Element) -> Bool) -> Int {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if isAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
