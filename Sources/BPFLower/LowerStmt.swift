import BPFIR
import BPFFrontend

extension FunctionLowering {
    func lowerStmt(_ s: Stmt) throws {
        at(s.location)
        switch s.kind {
        case .null: break
        case .compound(let list):
            let scope = b.openScope()
            for st in list { try lowerStmt(st) }
            b.closeScope(scope)
        case .declaration(let decls):
            for d in decls { try lowerLocalDecl(d) }
        case .expression(let e):
            _ = try rvalue(e, discard: true)
        case .ifStmt(let c, let t, let e):
            let thenB = b.newBlock(), join = b.newBlock()
            let elseB = e == nil ? join : b.newBlock()
            let outer = earlyExitOnNull
            earlyExitOnNull = leavesToGoOn(t) ? thenB : nil
            try lowerCondition(c, then: thenB, else: elseB)
            earlyExitOnNull = outer
            b.switchTo(thenB); try lowerStmt(t); b.jump(to: join)
            if let e = e { b.switchTo(elseB); try lowerStmt(e); b.jump(to: join) }
            b.switchTo(join)
        case .whileStmt(let c, let body):
            let head = b.newBlock(), bodyB = b.newBlock(), exit = b.newBlock()
            b.jump(to: head); b.switchTo(head)
            try lowerCondition(c, then: bodyB, else: exit)
            b.switchTo(bodyB)
            loops.append(LoopTargets(breakTarget: exit, continueTarget: head))
            try lowerStmt(body)
            loops.removeLast()
            b.jump(to: head)
            b.switchTo(exit)
        case .doWhile(let body, let c):
            let bodyB = b.newBlock(), condB = b.newBlock(), exit = b.newBlock()
            b.jump(to: bodyB); b.switchTo(bodyB)
            loops.append(LoopTargets(breakTarget: exit, continueTarget: condB))
            try lowerStmt(body)
            loops.removeLast()
            b.jump(to: condB); b.switchTo(condB)
            at(c.location)
            try lowerCondition(c, then: bodyB, else: exit)
            b.switchTo(exit)
        case .forStmt(let initial, let cond, let inc, let body):
            let (inlinedSizes, inlinedOperations) = (module.inlining.inlinedSizes, module.inlining.inlinedOperations)
            if let plan = LoopUnroller.plan(initial: initial, condition: cond, increment: inc, body: body, layout: layout,
                                            requested: module.unit.fullUnrollRequests.contains(s.location),
                                            calleeSize: { inlinedSizes[$0] ?? 0 }, calleeOperations: { inlinedOperations[$0] ?? 0 }),
               let bodyLabels = labelsOnlyReachedFromWithin(body) {
                try lowerUnrolled(plan, initial: initial, body: body, labels: bodyLabels)
                return
            }
            if let i = initial { try lowerStmt(i) }
            let savedNonNegative = nonNegativeRegisters
            defer { nonNegativeRegisters = savedNonNegative }
            if let id = LoopUnroller.nonNegativeCounter(initial: initial, condition: cond, increment: inc, body: body, layout: layout),
               case .register(let r)? = vars[VarKey(frame: frame, id: id)] {
                nonNegativeRegisters.insert(r)
            }
            let head = b.newBlock(), bodyB = b.newBlock(), incB = b.newBlock(), exit = b.newBlock()
            b.jump(to: head); b.switchTo(head)
            if let c = cond { at(c.location); try lowerCondition(c, then: bodyB, else: exit) } else { b.jump(to: bodyB) }
            b.switchTo(bodyB)
            loops.append(LoopTargets(breakTarget: exit, continueTarget: incB))
            try lowerStmt(body)
            loops.removeLast()
            b.jump(to: incB); b.switchTo(incB)
            if let inc = inc { at(inc.location); _ = try rvalue(inc, discard: true) }
            b.jump(to: head)
            b.switchTo(exit)
        case .switchStmt(let c, let body):
            try lowerSwitch(c, body)
        case .caseStmt(_, _, let body):
            guard !switches.isEmpty else { throw LoweringError(s.location, "'case' statement not in switch statement") }
            let idx = switches[switches.count - 1].next
            switches[switches.count - 1].next += 1
            let blk = switches[switches.count - 1].caseBlocks[idx]
            b.jump(to: blk); b.switchTo(blk)
            try lowerStmt(body)
        case .defaultStmt(let body):
            guard let blk = switches.last?.defaultBlock else {
                throw LoweringError(s.location, "'default' statement not in switch statement")
            }
            b.jump(to: blk); b.switchTo(blk)
            try lowerStmt(body)
        case .breakStmt:
            guard let t = loops.last else { throw LoweringError(s.location, "'break' statement not in loop or switch statement") }
            b.jump(to: t.breakTarget)
        case .continueStmt:
            guard let t = loops.last(where: { $0.continueTarget != nil })?.continueTarget else {
                throw LoweringError(s.location, "'continue' statement not in loop statement")
            }
            b.jump(to: t)
        case .returnStmt(let e):
            try lowerReturn(e, at: s.location)
        case .gotoStmt(let name):
            b.jump(to: labelBlock(name))
        case .label(let name, let body):
            let blk = labelBlock(name)
            b.jump(to: blk); b.switchTo(blk)
            try lowerStmt(body)
        case .asm(let a):
            try lowerAsm(a, at: s.location)
        }
    }

    /// Whether a statement ends by leaving to code that goes on: `break`, `continue`,
    /// `goto`, a `return` from an inlined function or a subprogram (not one that ends the
    /// program: a path that ends costs the verifier nothing, whenever it is walked), or a
    /// block whose last statement does.
    func leavesToGoOn(_ s: Stmt) -> Bool {
        switch s.kind {
        case .breakStmt, .continueStmt, .gotoStmt: return true
        case .returnStmt: return !inlineStack.isEmpty || decl.attributes.section == nil
        case .compound(let list): return list.last.map(leavesToGoOn) ?? false
        default: return false
        }
    }

    func labelBlock(_ name: String) -> BlockID {
        let key = LabelKey(frame: frame, name: name)
        if let blk = labels[key] { return blk }
        let blk = b.newBlock()
        labels[key] = blk
        return blk
    }

    func lowerLocalDecl(_ d: VarDecl) throws {
        at(d.location)
        if d.storage == .extern { return }
        if d.attributes.cleanup != nil {
            // (CleanupDesugaring writes out the cleanups of block-level declarations.)
            throw LoweringError(d.location, "__attribute__((cleanup)) on a variable of a statement expression is not supported")
        }
        let uses = addressUses(in: currentFunctionDecl)
        if case .expr(let value)? = d.initializer {
            recordFunctionAlias(d, value: value, body: currentFunctionDecl.body, addressTaken: uses.taken.contains(d.id))
        }
        try declareVariable(d, addressTaken: uses.taken.contains(d.id), passedToCalls: uses.passed.contains(d.id))
        guard let storage = vars[VarKey(frame: frame, id: d.id)] else { return }
        let lv = LValue(storage: storage, type: d.type, bitfield: nil)
        guard let initializer = d.initializer else { return }
        try initialize(lv, with: initializer, location: d.location)
    }

    /// The labels `body` defines when no `goto` outside it names one of them (each
    /// unrolled copy of the body then has labels of its own); nil when one does.
    func labelsOnlyReachedFromWithin(_ body: Stmt) -> Set<String>? {
        let inside = LoopUnroller.labels(in: body)
        guard !inside.defined.isEmpty else { return [] }
        let all = currentFunctionDecl.body.map { LoopUnroller.labels(in: $0).gotos } ?? [:]
        for name in inside.defined where all[name, default: 0] != inside.gotos[name, default: 0] { return nil }
        return inside.defined
    }

    /// The declaration of the function whose body is being lowered (the inlined one, if any).
    var currentFunctionDecl: FunctionDecl {
        if let top = inlineStack.last, let f = module.functionsByName[top.name] { return f }
        return decl
    }

    func lowerReturn(_ e: Expr?, at loc: SourceLocation) throws {
        if let top = inlineStack.last {
            if let e = e {
                let v = try rvalue(e)
                if let r = top.result {
                    try assign(LValue(storage: r, type: top.returnType, bitfield: nil), rvalue: v, type: e.type, at: loc)
                }
            }
            b.jump(to: top.exit)
            return
        }
        let ret = decl.type.returnType
        guard let e = e, !ret.isVoid else {
            if let e = e { _ = try rvalue(e, discard: true) }
            b.terminate(.ret(ret.isVoid ? nil : .imm(0)))
            return
        }
        if isWide(e.type) && !isWide(ret) {
            b.terminate(.ret(try narrowWide(try wide(e), to: ret, at: loc)))
            return
        }
        let v = try rvalue(e)
        guard case .scalar(let op) = v else {
            if isWide(ret) {
                throw LoweringError(loc, "a 128-bit integer value ('\(wideName(ret))') cannot be returned by a BPF function: it does not fit r0")
            }
            throw LoweringError(loc, "returning aggregates is not supported in BPF functions")
        }
        let conv = try convert(op, from: e.type, to: ret, at: loc)
        b.terminate(.ret(conv))
    }

    func lowerSwitch(_ c: Expr, _ body: Stmt) throws {
        let v = try rvalue(c)
        guard case .scalar(let raw) = v else { throw LoweringError(c.location, "switch on a non-integer") }
        let w = layout.opWidth(c.type)
        let reg = materialize(raw, width: w)
        var cases: [(Int64, Int64?)] = []
        var hasDefault = false
        try SwitchScanner.collect(body, cases: &cases, hasDefault: &hasDefault)
        let exit = b.newBlock()
        var ctx = SwitchContext(caseBlocks: cases.map { _ in b.newBlock() })
        ctx.defaultBlock = hasDefault ? b.newBlock() : nil
        let signed = layout.isSigned(c.type)
        // Compare chain, in source order.
        for (i, (lo, hi)) in cases.enumerated() {
            let next = b.newBlock()
            let loN = TypeLayout.normalize(lo, w)
            if let hi = hi {
                let second = b.newBlock()
                try branch(signed ? .slt : .ult, .reg(reg), .imm(loN), width: w, signed: signed, then: next, else: second)
                b.switchTo(second)
                try branch(signed ? .sle : .ule, .reg(reg), .imm(TypeLayout.normalize(hi, w)), width: w, signed: signed,
                           then: ctx.caseBlocks[i], else: next)
            } else {
                try branch(.eq, .reg(reg), .imm(loN), width: w, signed: false, then: ctx.caseBlocks[i], else: next)
            }
            b.switchTo(next)
        }
        b.jump(to: ctx.defaultBlock ?? exit)
        // The body starts unreachable: only case labels enter it.
        let dead = b.newBlock()
        b.switchTo(dead)
        switches.append(ctx)
        loops.append(LoopTargets(breakTarget: exit, continueTarget: nil))
        try lowerStmt(body)
        loops.removeLast()
        switches.removeLast()
        b.jump(to: exit)
        b.switchTo(exit)
    }
}

/// Collects the case labels of one switch body (not of nested switches), in source order.
/// A label inside a loop of the body (Duff's device: the switch jumps into the loop) is
/// refused: loops may be lowered more than once (unrolled), and each copy would take the
/// label.
enum SwitchScanner {
    static func collect(_ s: Stmt, inLoop: Bool = false, cases: inout [(Int64, Int64?)], hasDefault: inout Bool) throws {
        switch s.kind {
        case .compound(let l): for x in l { try collect(x, inLoop: inLoop, cases: &cases, hasDefault: &hasDefault) }
        case .caseStmt(let v, let hi, let body):
            if inLoop { throw LoweringError(s.location, "a 'case' label inside a loop within its switch is not supported") }
            cases.append((v, hi)); try collect(body, inLoop: inLoop, cases: &cases, hasDefault: &hasDefault)
        case .defaultStmt(let body):
            if inLoop { throw LoweringError(s.location, "a 'default' label inside a loop within its switch is not supported") }
            hasDefault = true; try collect(body, inLoop: inLoop, cases: &cases, hasDefault: &hasDefault)
        case .ifStmt(_, let t, let e):
            try collect(t, inLoop: inLoop, cases: &cases, hasDefault: &hasDefault)
            if let e = e { try collect(e, inLoop: inLoop, cases: &cases, hasDefault: &hasDefault) }
        case .label(_, let body):
            try collect(body, inLoop: inLoop, cases: &cases, hasDefault: &hasDefault)
        case .whileStmt(_, let body), .doWhile(let body, _), .forStmt(_, _, _, let body):
            try collect(body, inLoop: true, cases: &cases, hasDefault: &hasDefault)
        default: break
        }
    }
}
