# %% [markdown]
# # 08_softmax

# %%
print(1)
