import EqxData
import EqxNN
import EqxTensor
import EqxTraining
import Foundation

/// Checkpoints are `.safetensors` files with PyTorch's keys (`conv1.weight`, `bn1.running_mean`) and
/// layouts (OIHW), so `torch.nn` models load them. Training state that PyTorch does not need (optimizer
/// buffers, recorded curves) lives under `optim.` and `outcome.` keys of eqx's own cache files.
enum Checkpoints {
    static func tensors(_ state: StateDict) -> [String: SafeTensor] {
        var out: [String: SafeTensor] = [:]
        for k in state.keys { out[k] = SafeTensor(floats: state[k]!.scalars, shape: state[k]!.shape) }
        return out
    }

    static func write(_ state: StateDict, to url: URL, metadata: [String: String]) throws {
        try SafeTensors.write(tensors(state), metadata: metadata, to: url)
    }

    /// A float64 network's checkpoint: F64 tensors (PyTorch loads them as float64).
    static func write(_ state: StateDictOf<Double>, to url: URL, metadata: [String: String]) throws {
        var out: [String: SafeTensor] = [:]
        for k in state.keys { out[k] = SafeTensor(doubles: state[k]!.scalars, shape: state[k]!.shape) }
        try SafeTensors.write(out, metadata: metadata, to: url)
    }

    /// `readState` for a float64 network: F64 tensors as stored, F32 (F16, BF16) widened exactly.
    static func readState64(_ contents: SafeTensors.Contents, template: StateDict, file: String) throws -> StateDictOf<Double> {
        var state = template.converted(to: Double.self)
        for k in template.keys {
            guard let t = contents.tensors[k] else { throw RuntimeError("\(file) has no tensor '\(k)'", exitCode: 65) }
            guard t.shape == template[k]!.shape else {
                throw RuntimeError("\(file): '\(k)' has shape \(t.shape), the network needs \(template[k]!.shape)", exitCode: 65)
            }
            do { state[k] = try Tensor64(shape: t.shape, scalars: t.doubles()) } catch { throw RuntimeError("\(file): '\(k)': \(error)", exitCode: 65) }
        }
        return state
    }

    /// Reads a state dict for `template`'s keys (the architecture decides which keys are trainable).
    static func readState(_ contents: SafeTensors.Contents, template: StateDict, file: String) throws -> StateDict {
        var state = template
        for k in template.keys {
            guard let t = contents.tensors[k] else {
                throw RuntimeError("\(file) has no tensor '\(k)'", exitCode: 65)
            }
            guard t.shape == template[k]!.shape else {
                throw RuntimeError("\(file): '\(k)' has shape \(t.shape), the network needs \(template[k]!.shape)", exitCode: 65)
            }
            let values: [Float]
            do { values = try t.floats() } catch { throw RuntimeError("\(file): '\(k)': \(error)", exitCode: 65) }
            // A non-finite weight makes every later number nan: refuse it where it comes in.
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                throw RuntimeError("\(file): '\(k)' holds \(values[i]) at index \(i)", exitCode: 65)
            }
            state[k] = try Tensor(shape: t.shape, scalars: values)
        }
        return state
    }
}
