/// Normalised correlation of two equally long signals (1 = the same shape).
public func correlation(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
    var dot = 0.0, energyA = 0.0, energyB = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        energyA += Double(x) * Double(x)
        energyB += Double(y) * Double(y)
    }
    return dot / max((energyA * energyB).squareRoot(), 1e-20)
}
