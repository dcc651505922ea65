/// The entries of a parser's open containers, one region per container, each region handed out
/// as an array by moving its entries rather than copying them: a copy retains every value once
/// more and the region's removal releases it again, two atomic operations per value of a
/// document.
///
/// A plain struct over one allocation; its owner calls `release()` when the parse ends, thrown
/// out of or not.
struct RegionStack<Element> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    @inline(__always)
    mutating func push(_ element: consuming Element) {
        if count == capacity {
            let wider = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            wider.moveInitialize(from: storage, count: count)
            storage.deallocate()
            storage = wider
            capacity *= 2
        }
        (storage + count).initialize(to: element)
        count += 1
    }

    subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count)
        return storage[index]
    }

    /// The first index from `start` whose entry `matches`.
    @inline(__always)
    func firstIndex(from start: Int, where matches: (Element) -> Bool) -> Int? {
        var index = start
        while index < count {
            if matches(storage[index]) { return index }
            index += 1
        }
        return nil
    }

    /// Removes one entry, moving the later ones down.
    mutating func remove(at index: Int) {
        precondition(index >= 0 && index < count)
        (storage + index).deinitialize(count: 1)
        (storage + index).moveInitialize(from: storage + index + 1, count: count - index - 1)
        count -= 1
    }

    /// The entries from `base` on, moved out into an array of exactly their count.
    mutating func popRegion(from base: Int) -> [Element] {
        precondition(base >= 0 && base <= count)
        let size = count - base
        let region = storage + base
        count = base
        return [Element](unsafeUninitializedCapacity: size) { buffer, initialized in
            if size > 0, let target = buffer.baseAddress { target.moveInitialize(from: region, count: size) }
            initialized = size
        }
    }

    /// Destroys what is left and frees the storage; the stack is not used after this.
    mutating func release() {
        storage.deinitialize(count: count)
        storage.deallocate()
        count = 0
        capacity = 0
    }
}
