import MuxICE

/// Told when its session's selected pair moves and when the session closes, so that whatever sends for the
/// session knows its destination and never asks the router per packet.
///
/// Called outside the router's lock, from the thread whose check moved the selection: two moves verified on two
/// threads at once may arrive out of order, so each carries a `generation` that grows with every move of this
/// session's selection, and an older one than the last seen is ignored.
public protocol PathObserver: AnyObject, Sendable {
    /// The selected pair is now `tuple`, or none (it was lost to another session).
    func selectedPathChanged(to tuple: FiveTuple?, generation: UInt64)
    /// The session left the router: nothing more is sent for it but its farewell.
    func sessionClosed()
}

/// A move of one session's selection, to pass to its observer once the router's lock is released.
struct PathNotice {
    let observer: any PathObserver
    let tuple: FiveTuple?
    let generation: UInt64

    func deliver() {
        self.observer.selectedPathChanged(to: self.tuple, generation: self.generation)
    }
}
