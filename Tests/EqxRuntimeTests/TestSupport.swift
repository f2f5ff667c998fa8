import Foundation
import XCTest

/// Small scripts on the built-in digits: fast in a release build, but with training, tracking, evaluation,
/// a merge and reports, so every kind of number is in results.json.
enum Scripts {
    static let small = """
        eqx 1
        seed 5
        data digits = builtin.digits
        group flip = mirror(horizontal)
        net cnn(width: 4) {
          conv 3x3 -> width pad 1
          batchnorm
          relu
          maxpool 2
          flatten
          linear -> 10
        }
        train a = cnn on digits.train[0..499] {
          optimizer sgd(lr: 0.05, momentum: 0.9)
          batch 50
          epochs 2
          track loss, accuracy every 5
          evaluate digits.test
        }
        train b = cnn on digits.train[0..499] {
          mode augmented(flip, random)
          optimizer sgd(lr: 0.05)
          batch 50
          epochs 2
          track distance_to_E(flip) every 5
        }
        merge m = a with b {
          match activations on digits.train[0..199]
          alpha 0..1 step 0.5
          reset batchnorm on digits.train[0..199]
        }
        report acc: accuracy(a, digits.test), barrier: m.barrier, inv: invariance(b, flip, digits.test)

        """

    /// Two short trainings, then a merge long enough to be interrupted: every α of a fine grid resets batch
    /// norm on all 1,397 training digits and evaluates on both splits.
    static let longMerge = """
        eqx 1
        seed 3
        data digits = builtin.digits
        net cnn(width: 16) {
          conv 3x3 -> width pad 1
          batchnorm
          relu
          conv 3x3 -> width pad 1
          batchnorm
          relu
          maxpool 2
          conv 3x3 -> 2 * width pad 1
          relu
          global avgpool
          linear -> 10
        }
        train a = cnn on digits.train {
          optimizer sgd(lr: 0.05, momentum: 0.9)
          steps 30
        }
        train b = cnn on digits.train {
          optimizer sgd(lr: 0.05, momentum: 0.9)
          steps 30
        }
        merge m = a with b {
          match activations on digits.train
          alpha 0..1 step 0.025
          reset batchnorm on digits.train
          evaluate digits.train, digits.test
        }
        report barrier: m.barrier, acc: accuracy(a, digits.test)

        """

    /// Long enough (many epochs of a CNN on all 1,397 training digits) to be interrupted mid-training.
    static func slow(epochs: Int) -> String {
        """
        eqx 1
        seed 9
        data digits = builtin.digits
        net cnn(width: 16) {
          conv 3x3 -> width pad 1
          relu
          conv 3x3 -> width pad 1
          relu
          maxpool 2
          conv 3x3 -> 2 * width pad 1
          relu
          global avgpool
          linear -> 10
        }
        train long = cnn on digits.train {
          optimizer sgd(lr: 0.05, momentum: 0.9)
          batch 32
          epochs \(epochs)
          track loss, accuracy every 10
          evaluate digits.test
        }
        report acc: accuracy(long, digits.test)

        """
    }
}
