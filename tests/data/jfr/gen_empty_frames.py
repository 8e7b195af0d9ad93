# A crafted JFR chunk (tests/resources.rs, attack_jfr_fields_less_frames):
# jdk.types.StackFrame is defined with no fields, so an array element costs
# no input byte; 40 stack traces each claim S frames (a count bounded by the
# bytes left, which the elements do not consume). Made by
# `python3 gen_empty_frames.py 60000 empty-frames.jfr` (jfrlib.py: a minimal
# JFR writer, standard library only).
import sys; sys.path.insert(0, __import__('os').path.dirname(__file__)); from jfrlib import *
S=int(sys.argv[1]); out=sys.argv[2]
m=Meta()
def field(name, cls, cp=False, arr=False):
    a=[('name',name),('class',str(cls))]
    if cp: a.append(('constantPool','true'))
    if arr: a.append(('dimension','1'))
    return m.elem('field', a, [])
def cls(name, id, fields): return m.elem('class', [('name',name),('id',str(id))], fields)
kids=[cls('long',1,[]),cls('jdk.types.StackFrame',6,[]),
      cls('jdk.types.StackTrace',7,[field('truncated',8), field('frames',6,arr=True)]),cls('boolean',8,[]),
      cls('jdk.ExecutionSample',20,[field('startTime',1), field('stackTrace',7,cp=True)])]
md=metadata_event(m,m.elem('root',[],kids))
pad=b'\x00'*S  # filler bytes that make `count` legal
K=40
ents=b''.join(varint(1+k)+b'\x00'+varint(S) for k in range(K))
body=varint(7)+varint(K)+ents
cpbody=varint(0)+varint(0)+varint(0)+b'\x00'+varint(1)+body
cp=event(1, cpbody+pad)
sample=event(20, varint(5)+varint(1))
open(out,'wb').write(chunk(cp+sample, md))
