import struct
def varint(v):
    out=bytearray()
    for i in range(8):
        b=v&0x7f; v>>=7
        if v==0: out.append(b); return bytes(out)
        out.append(b|0x80)
    out.append(v&0xff); return bytes(out)
def pad5(v):
    out=bytearray()
    for i in range(4):
        out.append((v&0x7f)|0x80); v>>=7
    out.append(v&0x7f); return bytes(out)
def event(ty, body):
    inner=varint(ty)+body
    return pad5(5+len(inner))+inner
def jstr(s):
    b=s.encode() if isinstance(s,str) else s
    return b'\x03'+varint(len(b))+b

class Meta:
    def __init__(s):
        s.strings=[]; s.idx={}
    def si(s, x):
        if x not in s.idx:
            s.idx[x]=len(s.strings); s.strings.append(x)
        return s.idx[x]
    def elem(s, name, attrs, children):
        # returns bytes
        b=varint(s.si(name))+varint(len(attrs))
        for k,v in attrs:
            b+=varint(s.si(k))+varint(s.si(v) if not isinstance(v,int) or True else v)
        b+=varint(len(children))
        for c in children: b+=c
        return b
    def elem_raw(s, name, attrs_idx, children):
        b=varint(s.si(name))+varint(len(attrs_idx))
        for k,v in attrs_idx: b+=varint(k)+varint(v)
        b+=varint(len(children))
        for c in children: b+=c
        return b

def std_classes(m):
    def field(name, cls, cp=False, arr=False):
        a=[('name',name),('class',str(cls))]
        if cp: a.append(('constantPool','true'))
        if arr: a.append(('dimension','1'))
        return m.elem('field', a, [])
    def cls(name, id, fields):
        return m.elem('class', [('name',name),('id',str(id))], fields)
    return [
        cls('long',1,[]), cls('java.lang.String',2,[]),
        cls('jdk.types.Symbol',3,[field('string',2)]),
        cls('java.lang.Class',4,[field('name',3,cp=True)]),
        cls('jdk.types.Method',5,[field('type',4,cp=True), field('name',3,cp=True)]),
        cls('jdk.types.StackFrame',6,[field('method',5,cp=True)]),
        cls('jdk.types.StackTrace',7,[field('truncated',8), field('frames',6,arr=True)]),
        cls('boolean',8,[]),
        cls('jdk.ExecutionSample',20,[field('startTime',1), field('stackTrace',7,cp=True)]),
    ]

def metadata_event(m, tree_bytes):
    body=varint(0)+varint(0)+varint(0)+varint(len(m.strings))
    for s in m.strings: body+=jstr(s)
    body+=tree_bytes
    return event(0, body)

def chunk(events_before_md, md_ev, events_after=b''):
    body=events_before_md
    md_off=68+len(body)
    body+=md_ev+events_after
    size=68+len(body)
    hdr=b'FLR\0'+struct.pack('>HH',2,1)+struct.pack('>qqqqqqq',size,0,md_off,0,1000,0,1000000000)+struct.pack('>i',1)
    return hdr+body
