#!/usr/bin/env python3
"""Writes the crafted hostile data files of this directory (run it from anywhere; no numpy needed).

Each file is small and is wrong in one way that once crashed, hung or silently misread a loader, or
that a loader must refuse with the file name and a byte offset. CraftedCorpusTests runs every file
through every loader and through `eqx check`. The file name says which loader it targets
(idx-images-*, idx-labels-*, npy-*, npz-*, csv-*, cifar-*, safetensors-*, gz-*, tar-*).
"""
import gzip, os, struct, sys, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
files = {}

def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)

# ---- IDX ----
def idx_images(count, h, w, pixels=b''):
    return struct.pack('>IIII', 0x803, count, h, w) + pixels
def idx_labels(count, labels=b''):
    return struct.pack('>II', 0x801, count) + labels

files['idx-images-huge-count.idx3'] = idx_images(0xffffffff, 0xffffffff, 0xffffffff)
files['idx-images-huge-count-square.idx3'] = idx_images(0xffffffff, 255, 255, bytes(64))
files['idx-images-truncated.idx3'] = idx_images(10, 28, 28, bytes(100))
files['idx-images-trailing.idx3'] = idx_images(1, 2, 2, bytes(4) + b'extra')
files['idx-images-bad-magic.idx3'] = struct.pack('>IIII', 0x80d, 1, 2, 2) + bytes(4)
files['idx-images-zero-height.idx3'] = idx_images(1, 0, 2)
files['idx-images-short-header.idx3'] = struct.pack('>II', 0x803, 1)
# 10 images of 28x28 declared (7,856 bytes), 8 MB of content: decompression must stop at the header's size.
files['idx-images-bomb.idx3.gz'] = gz(idx_images(10, 28, 28, bytes(8 << 20)))
files['idx-images-gz-truncated.idx3.gz'] = gz(idx_images(2, 28, 28, bytes(2 * 784)))[:-40]
files['idx-images-gz-corrupt.idx3.gz'] = (lambda b: b[:20] + bytes(x ^ 0x55 for x in b[20:40]) + b[40:])(gz(idx_images(2, 28, 28, bytes(range(256)) * 7)))
files['idx-images-gz-trailing-garbage.idx3.gz'] = gz(idx_images(1, 2, 2, bytes(4))) + b'garbage'
files['idx-labels-out-of-range.idx1'] = idx_labels(3, bytes([1, 200, 3]))
files['idx-labels-huge-count.idx1'] = idx_labels(0xffffffff, bytes(10))
files['idx-labels-truncated.idx1'] = idx_labels(100, bytes(10))

# ---- npy ----
def npy(header, data=b'', version=1):
    header = header.encode('latin1')
    pre = 10 if version == 1 else 12
    header += b' ' * ((64 - (pre + len(header) + 1) % 64) % 64) + b'\n'
    if version == 1:
        return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(header)) + header + data
    return b'\x93NUMPY' + bytes([version, 0]) + struct.pack('<I', len(header)) + header + data
def dict_header(descr, shape):
    return "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)

files['npy-deep-nesting.npy'] = npy("{'descr': '<f4', 'fortran_order': False, 'shape': " + '[' * 30000 + ']' * 30000 + ', }')
files['npy-deep-nesting-v2.npy'] = npy("{'descr': " + '(' * 100000 + ')' * 100000 + '}', version=2)
files['npy-huge-shape.npy'] = npy(dict_header('<f4', '(4611686018427387904, 4611686018427387904)'), bytes(8))
files['npy-shape-exceeds-file.npy'] = npy(dict_header('<f4', '(1000000, 4)'), bytes(16))
files['npy-shape-exceeds-budget.npy'] = npy(dict_header('<f8', '(1099511627776, 1048576)'), bytes(16))
files['npy-trailing.npy'] = npy(dict_header('<f4', '(2, 1)'), struct.pack('<ff', 1, 2) + b'xx')
files['npy-nan.npy'] = npy(dict_header('<f4', '(3, 2)'), struct.pack('<6f', 0, 1, 2, float('nan'), 4, 5))
files['npy-inf-f8.npy'] = npy(dict_header('<f8', '(2, 2)'), struct.pack('<4d', 0, 1, 1e300, 3))
files['npy-bad-dtype.npy'] = npy(dict_header('<c16', '(2,)'), bytes(32))
files['npy-fortran.npy'] = npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", bytes(16))
files['npy-bad-version.npy'] = b'\x93NUMPY\x09\x00' + bytes(60)
files['npy-unterminated-string.npy'] = npy("{'descr: <f4, 'fortran_order': False}")
files['npy-negative-dim.npy'] = npy(dict_header('<f4', '(-1, 2)'))
files['npy-header-past-eof.npy'] = b'\x93NUMPY\x02\x00' + struct.pack('<I', 0xffffffff) + b'{'

# ---- npz (zip) ----
def zip_archive(members, zip64_sizes=None, count=None, local_offset=None):
    """members: (name, stored_bytes, method, uncompressed_size, crc). zip64_sizes overrides the
    uncompressed size of every member through a zip64 extra field."""
    out, cd = b'', b''
    for name, data, method, usize, crc in members:
        name = name.encode()
        offset = len(out) if local_offset is None else local_offset
        out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, method, 0, 0, crc, len(data), usize & 0xffffffff, len(name), 0) + name + data
        extra = b''
        cd_usize = usize
        if zip64_sizes is not None:
            extra = struct.pack('<HHQ', 1, 8, zip64_sizes)
            cd_usize = 0xffffffff
        cd += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0, method, 0, 0, crc, len(data), cd_usize,
                          len(name), len(extra), 0, 0, 0, 0, offset) + name + extra
    n = len(members) if count is None else count
    eocd = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, n & 0xffff, n & 0xffff, len(cd), len(out), 0)
    return out + cd + eocd
def stored(name, data):
    return (name, data, 0, len(data), zlib.crc32(data))
def deflated(name, data, usize=None, crc=None):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = c.compress(data) + c.flush()
    return (name, packed, 8, len(data) if usize is None else usize, zlib.crc32(data) if crc is None else crc)

x_good = npy(dict_header('<f4', '(2, 2)'), struct.pack('<4f', 0, 1, 2, 3))
y_good = npy(dict_header('|u1', '(2,)'), bytes([0, 1]))
files['npz-zip64-huge.npz'] = zip_archive([stored('x.npy', x_good), stored('y.npy', y_good)], zip64_sizes=1 << 62)
files['npz-zip64-huge-deflated.npz'] = zip_archive([deflated('x.npy', x_good), deflated('y.npy', y_good)], zip64_sizes=1 << 62)
# A deflated member that is one non-final stored block running past the end of the file: it made
# ZIPFoundation 0.9.20's Linux inflater loop forever.
files['npz-stored-block-past-eof.npz'] = zip_archive([('x.npy', b'\x00\xff\xff\x00\x00', 8, 100, 0), stored('y.npy', y_good)])
files['npz-bad-crc.npz'] = zip_archive([('x.npy', x_good, 0, len(x_good), 0x12345678), stored('y.npy', y_good)])
files['npz-bomb.npz'] = zip_archive([deflated('x.npy', x_good + bytes(4 << 20), usize=len(x_good)), stored('y.npy', y_good)])
files['npz-size-mismatch.npz'] = zip_archive([deflated('x.npy', x_good, usize=len(x_good) + 1000), stored('y.npy', y_good)])
files['npz-truncated.npz'] = zip_archive([stored('x.npy', x_good), stored('y.npy', y_good)])[:150]
files['npz-count-huge.npz'] = zip_archive([stored('x.npy', x_good), stored('y.npy', y_good)], count=0xfffe)
files['npz-local-offset-beyond.npz'] = zip_archive([stored('x.npy', x_good), stored('y.npy', y_good)], local_offset=1 << 30)
files['npz-nan.npz'] = zip_archive([stored('x.npy', npy(dict_header('<f4', '(2, 2)'), struct.pack('<4f', 0, 1, float('inf'), 3))),
                                    stored('y.npy', y_good)])
files['npz-deep-nesting.npz'] = zip_archive([deflated('x.npy', files['npy-deep-nesting.npy']), stored('y.npy', y_good)])
files['npz-huge-shape.npz'] = zip_archive([stored('x.npy', files['npy-huge-shape.npy']), stored('y.npy', y_good)])
files['npz-not-a-zip.npz'] = b'PK\x03\x04' + bytes(40)

# ---- CSV ----
files['csv-nan.csv'] = b'1,2,0\n3,nan,1\n'
files['csv-inf.csv'] = b'1,2,0\n3,4,1\n-inf,5,0\n'
files['csv-overflow.csv'] = b'1,2,0\n1e999,4,1\n'
files['csv-ragged.csv'] = b'1,2,0\n3,4\n'
files['csv-unterminated-quote.csv'] = b'1,2,0\n"3,4,1\n'
files['csv-bad-label.csv'] = b'1,2,0\n3,4,-2\n'
files['csv-bad-number.csv'] = b'1,2,0\n3,x4,1\n'
files['csv-no-rows.csv'] = b'\n\n \n'
files['csv-one-column.csv'] = b'1\n2\n'
files['csv-nan.csv.gz'] = gz(b'1,2,0\n3,4,1\n' * 100 + b'5,NaN,1\n')

# ---- CIFAR-10 ----
def cifar(labels):
    return b''.join(bytes([l]) + bytes((i * 7 + k) % 256 for k in range(3072)) for i, l in enumerate(labels))
files['cifar-truncated.bin'] = cifar([1]) + bytes(100)
files['cifar-label-out-of-range.bin'] = cifar([1, 11])
files['cifar-empty.bin'] = b''
files['cifar-label-out-of-range.bin.gz'] = gz(cifar([3, 4, 255]))

# ---- safetensors ----
def safetensors(header, data=b''):
    h = header.encode()
    return struct.pack('<Q', len(h)) + h + data
files['safetensors-header-huge.safetensors'] = struct.pack('<Q', 1 << 62) + b'{}'
files['safetensors-header-past-eof.safetensors'] = struct.pack('<Q', 1000) + b'{}'
files['safetensors-deep-nesting.safetensors'] = safetensors('{"a":' + '[' * 10000 + ']' * 10000 + '}')
files['safetensors-offsets-past-eof.safetensors'] = safetensors('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', bytes(8))
files['safetensors-shape-overflow.safetensors'] = safetensors('{"w":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,16]}}', bytes(16))
files['safetensors-overlap.safetensors'] = safetensors('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', bytes(12))
files['safetensors-nan.safetensors'] = safetensors('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', struct.pack('<ff', 1, float('nan')))
files['safetensors-bf16-inf.safetensors'] = safetensors('{"w":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}', b'\x80\x3f\x80\x7f')
files['safetensors-i64-weight.safetensors'] = safetensors('{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', bytes(8))
files['safetensors-unknown-dtype.safetensors'] = safetensors('{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', bytes(1))
files['safetensors-not-json.safetensors'] = safetensors('{"w": nope', bytes(8))

# ---- gzip ----
files['gz-truncated.gz'] = gz(bytes(range(256)) * 100)[:-30]
files['gz-bad-header.gz'] = b'\x1f\x8b\x09' + bytes(30)
files['gz-empty-member.gz'] = b'\x1f\x8b'

# ---- tar ----
def tar_header(name, size_field, typeflag=b'0', checksum=None):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b'0000644\x00'
    h[124:136] = size_field
    h[156:157] = typeflag
    h[257:263] = b'ustar\x00'
    h[148:156] = b' ' * 8
    s = sum(h) if checksum is None else checksum
    h[148:156] = b'%06o\x00 ' % s
    return bytes(h)
files['tar-size-past-eof.tar'] = tar_header(b'data_batch_1.bin', b'00000077777\x00') + bytes(512)
files['tar-base256-overflow.tar'] = tar_header(b'data_batch_1.bin', b'\xff' * 12) + bytes(1024)
files['tar-bad-checksum.tar'] = tar_header(b'a', b'00000000001\x00', checksum=1) + bytes(1024)
files['tar-not-octal.tar'] = tar_header(b'a', b'zzzzzzzzzzz\x00') + bytes(1024)
files['tar-truncated.tar'] = bytes(300)

def main():
    for old in os.listdir(HERE):
        if old != os.path.basename(__file__) and not old.endswith('.md'):
            os.remove(os.path.join(HERE, old))
    for name, data in sorted(files.items()):
        with open(os.path.join(HERE, name), 'wb') as f:
            f.write(data)
    total = sum(len(d) for d in files.values())
    print(f'{len(files)} files, {total} bytes', file=sys.stderr)

if __name__ == '__main__':
    main()
