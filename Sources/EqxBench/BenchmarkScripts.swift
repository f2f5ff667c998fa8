/// The eqx source of every benchmark. Each is checked by the same checker `eqx run` uses, so a bench
/// measures the layer interpreter, the trainer and the merger, not hand-written tensor code. The data
/// declaration names a placeholder file: `BenchmarkDataProbe` answers for it and the workload feeds
/// synthetic samples of that shape.
enum BenchmarkScripts {
    /// `data bench = …` with the placeholder file; the probe gives it the bench's sample shape.
    static let data = "data bench = npy(inputs: \"bench-inputs.npy\", labels: \"bench-labels.npy\")\n"

    /// The small MNIST CNN: unpadded 3×3 convs 1→32→32, pool, 32→64→64, pool, linear 1024→10; MSE.
    static let mnistCNN = """
    net mnist_cnn {
      conv 3x3 -> 32
      relu
      conv 3x3 -> 32
      relu
      maxpool 2
      conv 3x3 -> 64
      relu
      conv 3x3 -> 64
      relu
      maxpool 2
      linear -> 10
    }
    """

    /// VGG11 at quarter width for 32×32 inputs, each conv followed by batch norm and ReLU.
    static let vgg11Quarter = """
    net vgg11q {
      conv 3x3 -> 16 pad 1 bias false
      batchnorm
      relu
      maxpool 2
      conv 3x3 -> 32 pad 1 bias false
      batchnorm
      relu
      maxpool 2
      conv 3x3 -> 64 pad 1 bias false
      batchnorm
      relu
      conv 3x3 -> 64 pad 1 bias false
      batchnorm
      relu
      maxpool 2
      conv 3x3 -> 128 pad 1 bias false
      batchnorm
      relu
      conv 3x3 -> 128 pad 1 bias false
      batchnorm
      relu
      maxpool 2
      conv 3x3 -> 128 pad 1 bias false
      batchnorm
      relu
      conv 3x3 -> 128 pad 1 bias false
      batchnorm
      relu
      maxpool 2
      linear -> 10
    }
    """

    /// Bökman & Kahl's Fashion-MNIST network: 16/16/32/32 channels of padded 3×3 convs with batch norm
    /// and ReLU, a max-pool after each pair, global average pooling, linear → 10.
    static let fashionVGG = """
    net fmnist_vgg {
      conv 3x3 -> 16 pad 1
      batchnorm
      relu
      conv 3x3 -> 16 pad 1
      batchnorm
      relu
      maxpool 2
      conv 3x3 -> 32 pad 1
      batchnorm
      relu
      conv 3x3 -> 32 pad 1
      batchnorm
      relu
      maxpool 2
      global avgpool
      linear -> 10
    }
    """

    /// Nordenfors et al.'s CNN: 3×3 convs 1→32→64→64 without bias, average pooling, tanh, LayerNorm over
    /// each channel's map, linear 3136→10 without bias.
    static let nordenforsCNN = """
    net paper_cnn {
      conv 3x3 -> 32 pad 1 bias false
      avgpool 2
      tanh
      layernorm over spatial affine false
      conv 3x3 -> 64 pad 1 bias false
      avgpool 2
      tanh
      layernorm over spatial affine false
      conv 3x3 -> 64 pad 1 bias false
      tanh
      layernorm over spatial affine false
      linear -> 10 bias false
    }
    """

    /// A training statement of `net` on the placeholder data.
    static func training(_ net: String, name: String, mode: String, loss: String, optimizer: String,
                         batch: Int, steps: Int) -> String {
        """
        eqx 1
        seed 0
        \(data)group flip = mirror(horizontal)
        group rot = rotations(4)
        \(net)
        train \(name) = \(net.split(separator: " ")[1]) on bench.train {
          mode \(mode)
          loss \(loss)
          optimizer \(optimizer)
          batch \(batch)
          steps \(steps)
        }

        """
    }

    /// Bökman & Kahl's flip self-merge of `fmnist_vgg`: activation matching on 5,000 images, an 11-point
    /// α curve, batch-norm reset on 1,000 images (and their mirror images) at every α, evaluation on 1,000.
    static let flipMerge = """
    eqx 1
    seed 0
    \(data)group flip = mirror(horizontal)
    \(fashionVGG)
    train base = fmnist_vgg on bench.train {
      batch 128
      steps 1
    }
    merge flip_self = base with flip(base) {
      match activations on bench.train[0..4999]
      alpha 0..1 step 0.1
      reset batchnorm on bench.train[5000..5999]
      evaluate bench.train[6000..6999]
    }

    """
}
