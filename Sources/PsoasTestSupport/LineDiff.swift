/// The first lines where `actual` differs from `expected`, marked `-` (expected) and `+` (actual),
/// or `nil` when they are equal.
public func lineDiff(expected: String, actual: String, context: Int = 2, limit: Int = 12) -> String? {
    guard expected != actual else { return nil }
    let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var first = 0
    while first < old.count, first < new.count, old[first] == new[first] { first += 1 }
    var out = ["first difference at line \(first + 1):"]
    for index in max(0, first - context)..<first { out.append("  \(old[index])") }
    for index in first..<min(old.count, first + limit) { out.append("- \(old[index])") }
    for index in first..<min(new.count, first + limit) { out.append("+ \(new[index])") }
    return out.joined(separator: "\n")
}
