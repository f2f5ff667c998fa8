#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/: small valid files of each format (numpy writes the
npy/npz ones when it is installed), the crafted hostile files of Tests/EqxDataTests/crafted/ for the
matching loader, and the eqx scripts of examples/ and the syntax test corpus for the front end."""
import gzip, io, os, shutil, struct, sys, tarfile, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CRAFTED = os.path.join(ROOT, 'Tests', 'EqxDataTests', 'crafted')
targets = {t: {} for t in ['EqxParserFuzz', 'FuzzIDX', 'FuzzNPY', 'FuzzNPZ', 'FuzzSafeTensors', 'FuzzCSV',
                           'FuzzCIFAR', 'FuzzGzip', 'FuzzTar']}
prefixes = {'idx': 'FuzzIDX', 'npy': 'FuzzNPY', 'npz': 'FuzzNPZ', 'safetensors': 'FuzzSafeTensors', 'csv': 'FuzzCSV',
            'cifar': 'FuzzCIFAR', 'gz': 'FuzzGzip', 'tar': 'FuzzTar'}

def gz(b):
    return gzip.compress(b, mtime=0)

idx_images = struct.pack('>IIII', 0x803, 3, 2, 2) + bytes(range(12))
idx_labels = struct.pack('>II', 0x801, 3) + bytes([0, 9, 4])
targets['FuzzIDX'].update({'images.idx3': idx_images, 'labels.idx1': idx_labels,
                           'images.idx3.gz': gz(idx_images), 'labels.idx1.gz': gz(idx_labels)})

def npy(descr, shape, data):
    h = ("{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)).encode()
    h += b' ' * ((64 - (10 + len(h) + 1) % 64) % 64) + b'\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h + data
targets['FuzzNPY'].update({'f4.npy': npy('<f4', '(2, 3)', struct.pack('<6f', *range(6))),
                           'u1.npy': npy('|u1', '(4,)', bytes([1, 2, 3, 4])),
                           'f8be.npy': npy('>f8', '(2,)', struct.pack('>2d', 0.5, -2)),
                           'i8.npy': npy('<i8', '(1, 1)', struct.pack('<q', 7))})
try:
    import numpy as np
    for name, save in [('plain.npz', np.savez), ('packed.npz', np.savez_compressed)]:
        buf = io.BytesIO()
        save(buf, x=np.arange(12, dtype=np.float32).reshape(3, 2, 2) / 11, y=np.array([0, 1, 2], dtype=np.int64))
        targets['FuzzNPZ'][name] = buf.getvalue()
    buf = io.BytesIO()
    np.save(buf, np.arange(6, dtype=np.float64).reshape(3, 2))
    targets['FuzzNPY']['numpy.npy'] = buf.getvalue()
except ImportError:
    print('numpy missing: npz seeds only from the crafted files', file=sys.stderr)

def safetensors(header, data):
    h = header.encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    return struct.pack('<Q', len(h)) + h + data
targets['FuzzSafeTensors'].update({
    'f32.safetensors': safetensors('{"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                                   '"w":{"dtype":"F32","shape":[1,2],"data_offsets":[8,16]}}', struct.pack('<4f', 1, 2, 3, 4)),
    'mixed.safetensors': safetensors('{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"s":{"dtype":"I64","shape":[1],"data_offsets":[4,12]}}',
                                     b'\x00\x3c\x00\xc0' + struct.pack('<q', 5)),
})
targets['FuzzCSV'].update({'plain.csv': b'0.5,1,0\n2,3.25,1\n', 'header.csv': b'a,b,label\n1,2,0\n3,4,1\n',
                           'semicolon.csv': b'1;0.5;2\n0;1e-3;4\n', 'quoted.csv': b'"1",2,0\r\n3,"4",1\r\n',
                           'plain.csv.gz': gz(b'1,2,0\n3,4,1\n')})
record = bytes([3]) + bytes(k % 256 for k in range(3072))
targets['FuzzCIFAR'].update({'one.bin': record, 'two.bin.gz': gz(record + record)})
targets['FuzzGzip'].update({'text.gz': gz(b'hello eqx\n' * 20), 'two-members.gz': gz(b'a') + gz(b'b'), 'empty.gz': gz(b'')})
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as t:
    for name, data in [('cifar-10-batches-bin/data_batch_1.bin', record), ('readme.txt', b'hi')]:
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
targets['FuzzTar']['small.tar'] = buf.getvalue()
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w', format=tarfile.GNU_FORMAT) as t:
    info = tarfile.TarInfo('d/' + 'long' * 40); info.size = 3; t.addfile(info, io.BytesIO(b'abc'))
targets['FuzzTar']['gnu-longname.tar'] = buf.getvalue()

for name in sorted(os.listdir(CRAFTED)):
    target = prefixes.get(name.split('-')[0])
    if target and not name.endswith('.py'):
        with open(os.path.join(CRAFTED, name), 'rb') as f:
            targets[target]['crafted-' + name] = f.read()
for folder in [os.path.join(ROOT, 'examples'), os.path.join(ROOT, 'Tests', 'EqxSyntaxTests', 'corpus')]:
    for name in sorted(os.listdir(folder)):
        if name.endswith('.eqx'):
            with open(os.path.join(folder, name), 'rb') as f:
                targets['EqxParserFuzz'][os.path.basename(folder) + '-' + name] = f.read()

for target, files in targets.items():
    out = os.path.join(HERE, 'corpus', target)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for name, data in files.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
    print(f'{target}: {len(files)} seeds', file=sys.stderr)
