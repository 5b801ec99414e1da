import AudioIO
import PropertyBased
import Testing

/// ``PCM/convert(_:into:count:)`` (eight at a time where it can) gives exactly what
/// ``PCM/int16(_:)`` gives for each sample.
@Suite struct PCMConvertTests {
    func check(_ samples: [Float]) {
        var converted = [Int16](repeating: 0x5A5A, count: samples.count + 1)
        samples.withUnsafeBufferPointer { source in
            converted.withUnsafeMutableBufferPointer { target in
                PCM.convert(source.baseAddress ?? UnsafePointer(bitPattern: 8)!, into: target.baseAddress!, count: samples.count)
            }
        }
        for (index, sample) in samples.enumerated() {
            #expect(converted[index] == PCM.int16(sample), "\(sample) (bits \(String(sample.bitPattern, radix: 16))) at \(index) of \(samples.count)")
        }
        #expect(converted[samples.count] == 0x5A5A, "nothing written past the end")
    }

    /// Ties, the ends of the range and beyond, zeros, infinities, the smallest numbers.
    @Test func theEdges() {
        let scale: Float = 32_767
        var edges: [Float] = [0, -0, 1, -1, 2, -2, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                              .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 65_537, -65_537, 3e9, -3e9]
        for step in [-32_769.0, -32_768.5, -32_768, -32_767.5, -0.5, 0.5, 1.5, 2.5, 32_766.5, 32_767, 32_767.5, 32_768] as [Float] {
            edges += [step / scale, (step / scale).nextUp, (step / scale).nextDown]
        }
        for start in 0..<8 { check(Array(edges[start...])) }
    }

    @Test func anyNumbers() async {
        let bits = Gen.int32(in: .min ... .max).map { Float(bitPattern: UInt32(bitPattern: $0)) }
        let audio = Gen.float(in: -1.2...1.2)
        let samples = zip(bits, audio).map { [$0, $1] }.array(of: 0...20).map { $0.flatMap { $0 }.filter { !$0.isNaN } }
        await propertyCheck(count: 300, input: samples) { samples in
            check(samples)
        }
    }
}
