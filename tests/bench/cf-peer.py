#!/usr/bin/python3
"""cf-peer.py - the peer of bench-cf.sh: the same collaborative filtering
(binary purchases, cosine similarity, K neighbours kept, a score normalised
by the neighbours' similarity sum, top-N unbought items per customer) with
pandas and scipy.sparse, in blocks of customers so that memory stays
bounded.  Usage: cf-peer.py item|user FILE K N > recommendations.csv"""
import sys

import numpy as np
import pandas as pd
import scipy.sparse as sp


def top_k_rows(m, k):
    """Keep the k largest entries of each row of a CSR matrix."""
    m = m.tocsr()
    rows, cols, vals = [], [], []
    for r in range(m.shape[0]):
        a, b = m.indptr[r], m.indptr[r + 1]
        if b == a:
            continue
        d, c = m.data[a:b], m.indices[a:b]
        if b - a > k:
            sel = np.argpartition(-d, k - 1)[:k]
            d, c = d[sel], c[sel]
        rows.append(np.full(len(d), r))
        cols.append(c)
        vals.append(d)
    if not rows:
        return sp.csr_matrix(m.shape)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=m.shape)


def cosine_neighbours(a, k, block=4096):
    """Rows of a (binary CSR): the k most similar other rows by cosine."""
    n = np.asarray(a.sum(1)).ravel()
    at = a.T.tocsr()
    parts = []
    for s in range(0, a.shape[0], block):
        c = (a[s:s + block] @ at).tocsr()
        coo = c.tocoo()
        keep = coo.row + s != coo.col
        r, cc, v = coo.row[keep], coo.col[keep], coo.data[keep]
        v = v / np.sqrt(n[r + s] * n[cc])
        parts.append(top_k_rows(sp.csr_matrix((v, (r, cc)), shape=c.shape), k))
    return sp.vstack(parts).tocsr()


def main():
    mode, path, k, top = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    df = pd.read_csv(path, usecols=["customer", "item"], dtype=str)
    uc, ic = df.customer.astype("category"), df.item.astype("category")
    x = sp.csr_matrix((np.ones(len(df)), (uc.cat.codes.values, ic.cat.codes.values)))
    x.data[:] = 1
    users, items = uc.cat.categories, ic.cat.categories
    out = sys.stdout
    out.write("customer,item,rank,score\n")
    if mode == "item":
        nb = cosine_neighbours(x.T.tocsr(), k)          # items x items
        norm = np.asarray(nb.sum(1)).ravel()
        inv = np.where(norm > 0, 1 / np.where(norm > 0, norm, 1), 0)
        nbt = nb.T.tocsr()
    else:
        nb = cosine_neighbours(x, k)                    # users x users
        norm = np.asarray(nb.sum(1)).ravel()
        inv = np.where(norm > 0, 1 / np.where(norm > 0, norm, 1), 0)
    block = 8192
    for s in range(0, x.shape[0], block):
        xb = x[s:s + block]
        if mode == "item":
            sc = (xb @ nbt).tocsr().multiply(inv[np.newaxis, :]).tocsr()
        else:
            sc = (nb[s:s + block] @ x).tocsr().multiply(inv[s:s + block, np.newaxis]).tocsr()
        sc = (sc - sc.multiply(xb)).tocsr()
        sc.eliminate_zeros()
        for r in range(sc.shape[0]):
            a, b = sc.indptr[r], sc.indptr[r + 1]
            d, c = sc.data[a:b], sc.indices[a:b]
            order = np.lexsort((items[c], -d))[:top]
            for rank, o in enumerate(order, 1):
                out.write("%s,%s,%d,%.17g\n" % (users[s + r], items[c[o]], rank, d[o]))


main()
