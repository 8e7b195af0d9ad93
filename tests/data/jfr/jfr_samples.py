"""Independent minimal JFR 2.x sample decoder (python3, standard library only).

Used to derive the expected values in tests/formats/jfr.rs; it shares no
code with flamekit. Usage: python3 jfr_samples.py heavy.jfr
Prints, per sample event type: the sample count, the frames with the most
self samples, and the total samples of a few frames (a frame counts once
per sample however often it appears in the stack).
"""
# Independent minimal JFR 2.x reader (python) used to derive test expectations.
import struct, sys, collections
data = open(sys.argv[1],'rb').read()
class R:
    def __init__(s, b, pos, compressed=True): s.b=b; s.p=pos; s.c=compressed
    def u8(s): v=s.b[s.p]; s.p+=1; return v
    def varlong(s):
        if not s.c: 
            v=struct.unpack('>q', s.b[s.p:s.p+8])[0]; s.p+=8; return v
        ret=0
        for i in range(8):
            b=s.u8(); ret |= (b&0x7f) << (7*i)
            if b < 0x80: return ret
        return ret | (s.u8() << 56)
    def varint(s):
        if not s.c:
            v=struct.unpack('>i', s.b[s.p:s.p+4])[0]; s.p+=4; return v
        return s.varlong() & 0xffffffff
    def string(s):
        enc=s.u8()
        if enc==0: return None
        if enc==1: return ''
        if enc==2: return ('@ref', s.varlong())
        if enc==3:
            n=s.varint(); v=s.b[s.p:s.p+n].decode('utf-8','replace'); s.p+=n; return v
        if enc==4:
            n=s.varint(); return ''.join(chr(s.varint()) for _ in range(n))
        if enc==5:
            n=s.varint(); v=s.b[s.p:s.p+n].decode('latin-1'); s.p+=n; return v
        raise Exception('enc %d'%enc)
off=0
chunks=0
samples=collections.Counter()
allsamples=[]
while off < len(data):
    assert data[off:off+4]==b'FLR\0'
    major,minor=struct.unpack('>HH',data[off+4:off+8])
    size,cpoff,mdoff,startns,durns,startticks,tps=struct.unpack('>7q',data[off+8:off+64])
    features=struct.unpack('>i',data[off+64:off+68])[0]
    comp = bool(features & 1)
    # metadata
    r=R(data, off+mdoff, comp)
    esize=r.varint(); etype=r.varlong(); assert etype==0
    r.varlong(); r.varlong(); r.varlong()
    n=r.varint(); strings=[r.string() for _ in range(n)]
    # element tree, iterative via recursion (python fine)
    def elem():
        name=strings[r.varint()]
        attrs={}
        for _ in range(r.varint()):
            k=strings[r.varint()]; v=strings[r.varint()]; attrs[k]=v
        kids=[elem() for _ in range(r.varint())]
        return (name,attrs,kids)
    root=elem()
    classes={}
    for md in root[2]:
        if md[0]=='metadata':
            for c in md[2]:
                if c[0]!='class': continue
                fields=[(f[1]['name'], int(f[1]['class']), f[1].get('constantPool')=='true', f[1].get('dimension')=='1') for f in c[2] if f[0]=='field']
                classes[int(c[1]['id'])]=(c[1]['name'], fields)
    byname={v[0]:k for k,v in classes.items()}
    def value(cid, arr=False, cp=False):
        if arr:
            n=r.varint(); return [value(cid, False, cp) for _ in range(n)]
        if cp: return ('cp', cid, r.varlong())
        name,fields=classes[cid]
        if name in ('int','long','short','char'): 
            if name=='int' or name=='char' or name=='short': return r.varint() if comp else None
            return r.varlong()
        if name=='boolean' or name=='byte': return r.u8()
        if name=='float': v=struct.unpack('>f',data[r.p:r.p+4])[0]; r.p+=4; return v
        if name=='double': v=struct.unpack('>d',data[r.p:r.p+8])[0]; r.p+=8; return v
        if name=='java.lang.String': return r.string()
        return {f[0]: value(f[1], f[3], f[2]) for f in fields}
    pools=collections.defaultdict(dict)
    events=[]
    p=off+68
    end=off+size
    while p<end:
        r=R(data,p,comp)
        esize=r.varint(); etype=r.varlong()
        if etype==1:
            r.varlong(); r.varlong(); r.varlong(); flush=r.u8()
            npools=r.varint()
            for _ in range(npools):
                cid=r.varlong(); cnt=r.varint()
                for _ in range(cnt):
                    k=r.varlong(); pools[cid][k]=value(cid)
        elif etype in classes and classes[etype][0] in ('jdk.ExecutionSample','jdk.NativeMethodSample'):
            name,fields=classes[etype]
            ev={f[0]: value(f[1], f[3], f[2]) for f in fields}
            events.append((name,ev))
        p+=esize
    def sym(ref):
        s=pools[ref[1]][ref[2]]['string']
        if isinstance(s,tuple): s=pools[byname['java.lang.String']][s[1]]
        return s
    def mname(ref):
        m=pools[ref[1]][ref[2]]
        c=pools[m['type'][1]][m['type'][2]]
        return sym(c['name']).replace('/','.')+'.'+sym(m['name'])
    for name,ev in events:
        st=ev['stackTrace']
        if st[2] not in pools[st[1]]:
            continue
        frames=pools[st[1]][st[2]]['frames']
        stack=[mname(f['method']) for f in frames][::-1]
        allsamples.append((name, ev['startTime'], tuple(stack), pools[st[1]][st[2]]['truncated']))
    off+=size; chunks+=1

counts = collections.Counter(s[0] for s in allsamples)
for kind in counts:
    mine = [s for s in allsamples if s[0] == kind]
    selfc = collections.Counter(s[2][-1] for s in mine)
    tot = collections.Counter(f for s in mine for f in set(s[2]))
    print(kind, 'samples', len(mine), 'truncated', sum(1 for s in mine if s[3]))
    print('  self ', selfc.most_common(6))
    print('  total', sorted(tot.items(), key=lambda kv: -kv[1])[:10])
    first = sorted(mine, key=lambda s: s[1])[0]
    print('  first sample (by startTime):', ';'.join(first[2]))
print('distinct frames', len(set(f for s in allsamples for f in s[2])))
